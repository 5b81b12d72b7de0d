"""Checks API responses against the OpenAPI document, one per line, for the lifetime of a test run.

usage: check_responses.py openapi.json
stdin, one JSON object per line: {"method", "path", "status", "content_type", "body"} (body as
text, or null when empty); stdout, one line per request: "ok", "skip <why>" or "error <what>".

The response must be documented for its operation (its status, or "default"); when it has a body,
its content type must be one the operation declares, and a JSON body must match the schema
(JSON Schema 2020-12, as OpenAPI 3.1 says), references resolved within the document.
"""
import json
import re
import sys

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        document = json.load(handle)
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:openapi", resource)
    prefix = document.get("servers", [{}])[0].get("url", "")
    routes = []
    for template, item in document["paths"].items():
        segments = ["[^/]+" if re.fullmatch(r"\{[^}/]+\}", segment) else re.escape(segment) for segment in template.split("/")]
        pattern = "^" + "/".join(segments) + "$"
        routes.append((re.compile(pattern), template, item))
    for line in sys.stdin:
        try:
            print(check(json.loads(line), document, routes, registry, prefix), flush=True)
        except Exception as error:  # a checker fault is an error, never a silent pass
            print("error checker: " + repr(error).replace("\n", " "), flush=True)


def check(response, document, routes, registry, prefix):
    path = response["path"].split("?")[0]
    if prefix and path.startswith(prefix):
        path = path[len(prefix):]
    matches = [(template, item) for pattern, template, item in routes if pattern.match(path)]
    # A literal segment wins over a parameter (/rdvs/export before /rdvs/{id}).
    matches.sort(key=lambda match: match[0].count("{"))
    if not matches:
        return "skip no path"
    template, item = matches[0]
    operation = item.get(response["method"].lower())
    if operation is None:
        return "skip no operation"
    status = str(response["status"])
    responses = operation.get("responses", {})
    documented = responses.get(status) or responses.get(status[0] + "XX") or responses.get("default")
    if documented is None:
        return f"error {response['method']} {template}: status {status} is not documented"
    documented = resolve(documented, document)
    body = response.get("body")
    if body is None or body == "":
        return "ok"
    content_type = (response.get("content_type") or "").split(";")[0].strip()
    content = documented.get("content", {})
    if content_type not in content:
        return f"error {response['method']} {template} {status}: content type {content_type} not among {sorted(content)}"
    schema = content[content_type].get("schema")
    if schema is None or not content_type.endswith("json"):
        return "ok"
    value = json.loads(body)
    wrapped = rewrite(schema)
    validator = Draft202012Validator(wrapped, registry=registry, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(value), key=lambda error: list(error.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(part) for part in first.absolute_path) or "(root)"
        return f"error {response['method']} {template} {status} at {where}: {first.message}"[:2000]
    return "ok"


def rewrite(schema):
    """Inline schemas refer to components as #/components/...: point them at the registered document."""
    if isinstance(schema, dict):
        return {key: ("urn:openapi" + value if key == "$ref" and isinstance(value, str) and value.startswith("#") else rewrite(value)) for key, value in schema.items()}
    if isinstance(schema, list):
        return [rewrite(value) for value in schema]
    return schema


def resolve(node, document):
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


if __name__ == "__main__":
    main()
