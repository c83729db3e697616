"""The WSGI application: moto's dispatcher behind the emulator's middleware."""
import json
import time

from werkzeug.wrappers import Request, Response

from . import state, wire

CONTROL_PREFIX = "/_emulator/"
# Extensions add their own control routes: path (after the prefix) -> handler(request) -> (status, payload).
CONTROL_ROUTES = {}
# Extensions that keep state outside moto's backends register a callable here; "reset" calls them.
RESET_HOOKS = []
# Services moto has no backend for: signing name -> WSGI app that answers them (after the call log and faults).
SERVICE_APPS = {}


def control_route(path):
    def register(handler):
        CONTROL_ROUTES[path] = handler
        return handler
    return register


def _json(request):
    if not request.data:
        return {}
    return json.loads(request.data)


@control_route("health")
def _health(request):
    return 200, {"status": "ok"}


@control_route("reset")
def _reset(request):
    """Everything back to a fresh start: moto's backends, extensions' state, call log, faults, timing."""
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    BackendDict.reset()
    reset_model_data()
    for hook in RESET_HOOKS:
        hook()
    state.CALLS.reset()
    state.FAULTS.configure([], 0)
    state.TIMING.reset()
    return 200, {"reset": True}


@control_route("calls")
def _calls(request):
    if request.method == "DELETE":
        state.CALLS.reset()
        return 200, {"reset": True}
    since = int(request.args.get("since", 0))
    return 200, {"calls": state.CALLS.entries(since)}


@control_route("timing")
def _timing(request):
    if request.method == "POST":
        state.TIMING.update(_json(request))
    elif request.method == "DELETE":
        state.TIMING.reset()
    return 200, state.TIMING.as_dict()


@control_route("faults")
def _faults(request):
    if request.method == "POST":
        body = _json(request)
        state.FAULTS.configure(body.get("rules", []), body.get("seed", 0))
    elif request.method == "DELETE":
        state.FAULTS.configure([], 0)
    return 200, state.FAULTS.as_dict()


def _control(environ, start_response):
    request = Request(environ)
    path = request.path[len(CONTROL_PREFIX):].strip("/")
    handler = CONTROL_ROUTES.get(path)
    if handler is None:
        status, payload = 404, {"error": "no control route %r; known: %s" % (path, ", ".join(sorted(CONTROL_ROUTES)))}
    else:
        try:
            status, payload = handler(request)
        except (KeyError, ValueError, TypeError) as exc:
            status, payload = 400, {"error": str(exc)}
    response = Response(json.dumps(payload, default=str), status=status, mimetype="application/json")
    return response(environ, start_response)


class EmulatorMiddleware:
    """Records every AWS request and injects the configured faults."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return _control(environ, start_response)
        from .ext import application, globalaccelerator
        if globalaccelerator.is_accelerator_host(environ):
            # a request through the proxy to an accelerator's DNS name: routed to one endpoint's load balancer
            return globalaccelerator.route(environ, start_response)
        if application.is_load_balancer_host(environ):
            # a request through the proxy to a load balancer's DNS name: the workshop's application
            return application.serve(environ, start_response)
        if application.is_other_proxy_request(environ):
            # through the proxy to any other host: nothing there, as a proxy that cannot connect answers
            return application.bad_gateway(environ, start_response)
        if environ.get("HTTP_X_EMULATOR_INTERNAL"):
            # the emulated application's own AWS calls: neither logged nor faulted
            return self.app(environ, start_response)
        described = wire.describe_request(environ)
        entry = dict(described, time=time.time(), status=None, injected=None)
        kind = None
        if described["service"]:
            kind = state.FAULTS.pick(described["service"], described["operation"], described.get("region"))
        if kind:
            status, headers, body = wire.error_response(kind, described)
            entry.update(status=int(status.split()[0]), injected=kind)
            state.CALLS.record(entry)
            start_response(status, headers)
            return [body]

        def recording_start_response(status, headers, exc_info=None):
            entry["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        app = SERVICE_APPS.get(described["service"], self.app)
        try:
            return app(environ, recording_start_response)
        finally:
            if described["service"]:
                state.CALLS.record(entry)


def build_app():
    """moto's dispatcher with every extension installed, wrapped in the middleware."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from .ext import install_all

    install_all()
    return EmulatorMiddleware(DomainDispatcherApplication(create_backend_app))
