#!/usr/bin/python3
"""A Confluent Schema Registry stand-in for the sandbox: the subset of its REST API that producers
and dgkafka use, as Confluent documents it, kept in one JSON file (so a restart keeps the ids).

  GET  /schemas/ids/{id}                 {"schema": "..."}  (404 error_code 40403 when unknown)
  GET  /subjects                         ["subject", ...]
  GET  /subjects/{s}/versions            [1, 2, ...]
  GET  /subjects/{s}/versions/{v|latest} {"subject", "version", "id", "schema"}
  POST /subjects/{s}/versions            {"schema": "..."} -> {"id": N} (the same schema keeps its id)

A schema other than Avro carries "schemaType" ("PROTOBUF", "JSON") and may carry "references"
([{"name": "other.proto", "subject": "...", "version": N}]); both are returned as registered.

  schema_registry.py --port P --data FILE [--user U --password-file F] [--cert C --key K]
"""
import argparse
import base64
import json
import os
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class Store:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def load(self):
        if not os.path.exists(self.path):
            return {"schemas": {}, "subjects": {}}
        with open(self.path) as f:
            return json.load(f)

    def save(self, data):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f)
        os.replace(tmp, self.path)


def canonical(schema_text):
    try:
        return json.dumps(json.loads(schema_text), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return schema_text


def described(doc, entry):
    """A schema document with its type and references, as Confluent's registry gives them."""
    if entry.get("schemaType", "AVRO") != "AVRO":
        doc["schemaType"] = entry["schemaType"]
    if entry.get("references"):
        doc["references"] = entry["references"]
    return doc


class Handler(BaseHTTPRequestHandler):
    store = None
    auth = None  # "Basic ..." expected, or None

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message):
        self.reply(status, {"error_code": code, "message": message})

    def authorized(self):
        if self.auth is None or self.headers.get("Authorization") == self.auth:
            return True
        self.error(401, 401, "Unauthorized")
        return False

    def parts(self):
        return [p for p in self.path.split("?")[0].split("/") if p]

    def do_GET(self):
        if not self.authorized():
            return
        p = self.parts()
        with self.store.lock:
            data = self.store.load()
        if len(p) == 3 and p[:2] == ["schemas", "ids"]:
            entry = data["schemas"].get(p[2])
            if entry is None:
                return self.error(404, 40403, "Schema " + p[2] + " not found")
            return self.reply(200, described({"schema": entry["schema"]}, entry))
        if p == ["subjects"]:
            return self.reply(200, sorted(data["subjects"]))
        if len(p) >= 3 and p[0] == "subjects" and p[2] == "versions":
            versions = data["subjects"].get(p[1])
            if versions is None:
                return self.error(404, 40401, "Subject '" + p[1] + "' not found.")
            if len(p) == 3:
                return self.reply(200, list(range(1, len(versions) + 1)))
            v = len(versions) if p[3] == "latest" else int(p[3]) if p[3].isdigit() else 0
            if not 1 <= v <= len(versions):
                return self.error(404, 40402, "Version " + p[3] + " not found.")
            sid = versions[v - 1]
            entry = data["schemas"][sid]
            return self.reply(200, described({"subject": p[1], "version": v, "id": int(sid),
                                              "schema": entry["schema"]}, entry))
        self.error(404, 404, "HTTP 404 Not Found")

    def do_POST(self):
        if not self.authorized():
            return
        p = self.parts()
        if not (len(p) == 3 and p[0] == "subjects" and p[2] == "versions"):
            return self.error(404, 404, "HTTP 404 Not Found")
        length = int(self.headers.get("Content-Length", "0"))
        try:
            req = json.loads(self.rfile.read(length))
            schema = req["schema"]
            kind = req.get("schemaType", "AVRO")
            references = req.get("references", [])
            if kind == "AVRO" or kind == "JSON":
                json.loads(schema)
            for r in references:
                if not (isinstance(r["name"], str) and isinstance(r["subject"], str) and isinstance(r["version"], int)):
                    raise ValueError("reference")
        except (ValueError, KeyError, TypeError):
            return self.error(422, 42201, "Invalid schema")
        with self.store.lock:
            data = self.store.load()
            for r in references:
                versions = data["subjects"].get(r["subject"], [])
                if not 1 <= r["version"] <= len(versions):
                    return self.error(422, 42201, "Invalid schema: reference " + r["name"] + " not found")
            key = canonical(schema) + "\n" + kind + "\n" + json.dumps(references, sort_keys=True)
            sid = next((i for i, e in data["schemas"].items() if e["canonical"] == key), None)
            if sid is None:
                sid = str(len(data["schemas"]) + 1)
                data["schemas"][sid] = {"schema": schema, "canonical": key, "schemaType": kind}
                if references:
                    data["schemas"][sid]["references"] = references
            versions = data["subjects"].setdefault(p[1], [])
            if sid not in versions:
                versions.append(sid)
            self.store.save(data)
        self.reply(200, {"id": int(sid)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password-file")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    args = ap.parse_args()
    Handler.store = Store(args.data)
    if args.user:
        with open(args.password_file) as f:
            password = f.readline().rstrip("\r\n")
        Handler.auth = "Basic " + base64.b64encode((args.user + ":" + password).encode()).decode()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
