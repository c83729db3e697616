"""A local AWS endpoint for the collection's tests and demo.

moto's server mode, extended with what Lab 3 of the Mythical Mysfits workshop
needs and moto lacks (DynamoDB global tables 2019.11.21, CodeCommit files,
CodePipeline cross-region validation and executions, CloudFormation outputs),
plus a call log, fault injection and timing control behind a control endpoint
at ``/_emulator/``.

Nothing in ``plugins/`` imports this package: the collection talks to it only
through boto3 pointed at ``AWS_ENDPOINT_URL``.
"""
