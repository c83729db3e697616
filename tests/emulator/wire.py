"""What a request is (service, region, operation) and how AWS words an error.

Covers the four protocols botocore speaks to the services the lab uses:
JSON (``X-Amz-Target``), Smithy RPC v2 CBOR (``/service/<s>/operation/<op>``),
query (``Action=`` in a form body) and REST-XML (S3).
"""
import io
import json
import uuid
from urllib.parse import parse_qs

READ_PREFIXES = (
    "Get", "List", "Describe", "Head", "BatchGet", "Query", "Scan", "Lookup",
    "Search", "Select", "Validate", "Estimate", "Detect", "Filter",
)
# Operations that change nothing although their names do not say so.
READ_OPERATIONS = {"AssumeRole", "GetCallerIdentity", "TestMetricFilter"}
# Item-level writes: data, not the resources' configuration.
DATA_OPERATIONS = {
    "dynamodb": {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
                 "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"},
    "monitoring": {"PutMetricData"},
    "logs": {"PutLogEvents"},
}
# Signing names that differ from the names people use.
SERVICE_ALIASES = {"monitoring": "cloudwatch", "streams.dynamodb": "dynamodbstreams"}


def _credential_scope(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    try:
        scope = auth.split(",")[0].split()[1]
        _, _, region, service, _ = scope.split("=", 1)[1].split("/")
        return region, service.lower()
    except (IndexError, ValueError):
        return None, None


def _read_body(environ):
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if not length:
        return b""
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


S3_SUBRESOURCE_OPS = {
    # query key: (GET op, PUT op, DELETE op)
    "encryption": ("GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption"),
    "versioning": ("GetBucketVersioning", "PutBucketVersioning", None),
    "publicAccessBlock": ("GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock"),
    "policy": ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"),
    "tagging": ("GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging"),
    "location": ("GetBucketLocation", None, None),
    "acl": ("GetBucketAcl", "PutBucketAcl", None),
    "lifecycle": ("GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle"),
    "ownershipControls": ("GetBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls"),
    "versions": ("ListObjectVersions", None, None),
}


def _s3_operation(environ):
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "/")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    host = environ.get("HTTP_HOST", "")
    parts = [p for p in path.split("/") if p]
    virtual_bucket = host.split(".")[0] if ".s3." in host or host.endswith(".s3.amazonaws.com") else None
    if virtual_bucket:
        bucket, key = virtual_bucket, "/".join(parts)
    else:
        bucket = parts[0] if parts else None
        key = "/".join(parts[1:])
    if not bucket:
        return "ListBuckets"
    if not key:
        for sub, ops in S3_SUBRESOURCE_OPS.items():
            if sub in query:
                op = {"GET": ops[0], "PUT": ops[1], "DELETE": ops[2]}.get(method)
                if op:
                    return op
        if "delete" in query and method == "POST":
            return "DeleteObjects"
        return {"GET": "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects",
                "HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(method, method)
    if "uploads" in query:
        return "CreateMultipartUpload"
    if "uploadId" in query:
        return {"PUT": "UploadPart", "POST": "CompleteMultipartUpload",
                "DELETE": "AbortMultipartUpload", "GET": "ListParts"}.get(method, method)
    if "tagging" in query:
        return {"GET": "GetObjectTagging", "PUT": "PutObjectTagging", "DELETE": "DeleteObjectTagging"}.get(method, method)
    if method == "PUT" and environ.get("HTTP_X_AMZ_COPY_SOURCE"):
        return "CopyObject"
    return {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject", "DELETE": "DeleteObject"}.get(method, method)


def describe_request(environ):
    """Return a dict: region, service, operation, protocol, mutating, plane."""
    region, service = _credential_scope(environ)
    service = SERVICE_ALIASES.get(service, service) if service else None
    target = environ.get("HTTP_X_AMZ_TARGET")
    path = environ.get("PATH_INFO", "/")
    operation = None
    protocol = None
    if target:
        protocol = "json"
        operation = target.rsplit(".", 1)[-1]
    elif "/operation/" in path and path.startswith("/service/"):
        protocol = "rpc-v2-cbor"
        operation = path.rstrip("/").rsplit("/", 1)[-1]
    elif service == "s3":
        protocol = "rest-xml"
        operation = _s3_operation(environ)
    else:
        content_type = environ.get("CONTENT_TYPE", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            protocol = "query"
            form = parse_qs(_read_body(environ).decode("utf-8", "replace"))
            operation = form.get("Action", [None])[0]
        if not operation:
            query = parse_qs(environ.get("QUERY_STRING", ""))
            if "Action" in query:
                protocol = "query"
                operation = query["Action"][0]
    if not operation:
        protocol = protocol or "rest"
        operation = "%s %s" % (environ.get("REQUEST_METHOD", "GET"), path)
    if service == "s3":
        mutating = environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD")
    else:
        mutating = not (operation in READ_OPERATIONS or operation.startswith(READ_PREFIXES))
    plane = "data" if operation in DATA_OPERATIONS.get(service or "", ()) else "control"
    return {
        "region": region,
        "service": service,
        "operation": operation,
        "protocol": protocol,
        "mutating": mutating,
        "plane": plane,
    }


# (code, HTTP status, message) per error kind and protocol family.
_JSON_ERRORS = {
    "throttling": ("ThrottlingException", 400, "Rate exceeded"),
    "provisioned_throughput": (
        "ProvisionedThroughputExceededException", 400,
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API."),
    "http500": ("InternalServerError", 500, "Internal server error"),
    "http503": ("ServiceUnavailableException", 503, "Service Unavailable"),
    # "Common Errors" of the API references (AccessDeniedException, HTTP 400; e.g.
    # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html).
    "access_denied": ("AccessDeniedException", 400, "You do not have sufficient access to perform this action."),
}
_QUERY_ERRORS = {
    "throttling": ("Throttling", 400, "Rate exceeded"),
    "provisioned_throughput": ("Throttling", 400, "Rate exceeded"),
    "http500": ("InternalFailure", 500, "An internal error occurred"),
    "http503": ("ServiceUnavailable", 503, "Service is unavailable"),
    # The same "Common Errors" page of the query-protocol API references: AccessDeniedException, HTTP 400.
    "access_denied": ("AccessDeniedException", 400, "You do not have sufficient access to perform this action."),
}
_S3_ERRORS = {
    "throttling": ("SlowDown", 503, "Please reduce your request rate."),
    "provisioned_throughput": ("SlowDown", 503, "Please reduce your request rate."),
    "http500": ("InternalError", 500, "We encountered an internal error. Please try again."),
    "http503": ("ServiceUnavailable", 503, "Service is unable to handle request."),
    # Amazon S3 API reference, "Error responses" (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html):
    # AccessDenied, 403 Forbidden.
    "access_denied": ("AccessDenied", 403, "Access Denied"),
}
_JSON_PREFIX = {"dynamodb": "com.amazonaws.dynamodb.v20120810#"}


def error_response(kind, described):
    """Return (status line, headers, body bytes) for an injected error, in the wire format of the request's protocol."""
    request_id = str(uuid.uuid4())
    protocol = described["protocol"]
    if protocol in ("json", "rpc-v2-cbor"):
        code, status, message = _JSON_ERRORS[kind]
        if kind == "throttling" and described["service"] == "dynamodb":
            code = "ThrottlingException"
        body = json.dumps({"__type": _JSON_PREFIX.get(described["service"], "") + code,
                           "message": message}).encode()
        # A CBOR client reads the error type from this header too.
        headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", code),
                   ("x-amzn-RequestId", request_id)]
        if protocol == "rpc-v2-cbor":
            body = _cbor_error(code, message)
            headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                       ("x-amzn-RequestId", request_id)]
    elif protocol == "rest-xml":
        code, status, message = _S3_ERRORS[kind]
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
                "<RequestId>%s</RequestId></Error>" % (code, message, request_id)).encode()
        headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
    else:
        code, status, message = _QUERY_ERRORS[kind]
        body = ("<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>"
                "<RequestId>%s</RequestId></ErrorResponse>" % (
                    "Sender" if status < 500 else "Receiver", code, message, request_id)).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    reason = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error", 503: "Service Unavailable"}[status]
    headers.append(("Content-Length", str(len(body))))
    return "%d %s" % (status, reason), headers, body


def _cbor_error(code, message):
    """A two-entry CBOR map {"__type": code, "message": message}."""
    def text(value):
        data = value.encode()
        n = len(data)
        if n < 24:
            head = bytes([0x60 + n])
        elif n < 256:
            head = bytes([0x78, n])
        else:
            head = bytes([0x79]) + n.to_bytes(2, "big")
        return head + data
    return bytes([0xA2]) + text("__type") + text(code) + text("message") + text(message)
