#!/usr/bin/python3
"""A simulated Proxmox VE API over HTTPS on 127.0.0.1, for fence_proxmox's
tests.  It implements the documented endpoints the agent uses, with their
JSON shapes ({"data": ...}), API-token and ticket + CSRF authentication,
permission checks, task UPIDs that finish after a latency, errors carried
in the HTTP reason phrase as Proxmox VE does, and guests that misbehave.

    proxmox_mock.py --cert C --key K --port-file F --log L [--latency S]

Credentials (fixed, test-only): user root@pam password "rootpw"; API token
root@pam!fence secret "tok-secret"; read-only token audit@pve!ro secret
"ro-secret" (VM.Audit only).  Guests:
  100 node1 qemu on pve1 running     101 node2 qemu on pve2 running
  200 node3 lxc  on pve2 stopped     102 stubborn qemu on pve1: never stops
  103 broken: status/current answers 500
  104, 105 both named "twin"         9000 template named "node1-tmpl"
Every request is appended to the log file as "METHOD PATH USER [FORM]".
"""

import argparse
import json
import os
import secrets
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USERS = {"root@pam": "rootpw"}
TOKENS = {"root@pam!fence": "tok-secret", "audit@pve!ro": "ro-secret"}
READ_ONLY = {"audit@pve!ro"}

LOCK = threading.Lock()
TICKETS = {}  # ticket -> (user, csrf)
TASKS = {}  # upid -> dict
VMS = {
    100: {"name": "node1", "type": "qemu", "node": "pve1", "status": "running"},
    101: {"name": "node2", "type": "qemu", "node": "pve2", "status": "running"},
    200: {"name": "node3", "type": "lxc", "node": "pve2", "status": "stopped"},
    102: {"name": "stubborn", "type": "qemu", "node": "pve1",
          "status": "running", "never_stop": True},
    103: {"name": "broken", "type": "qemu", "node": "pve1",
          "status": "running", "broken": True},
    104: {"name": "twin", "type": "qemu", "node": "pve1", "status": "running"},
    105: {"name": "twin", "type": "qemu", "node": "pve2", "status": "running"},
    9000: {"name": "node1-tmpl", "type": "qemu", "node": "pve1",
           "status": "stopped", "template": 1},
}
NODES = ["pve1", "pve2"]
ARGS = None


def conf_path(vmid, vm, node):
    kind = "qemu-server" if vm["type"] == "qemu" else "lxc"
    return "Configuration file 'nodes/%s/%s/%d.conf' does not exist" % (
        node, kind, vmid)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    # -- answers -----------------------------------------------------------
    def answer(self, code, reason, data=None, errors=None):
        body = {"data": data}
        if errors is not None:
            body["errors"] = errors
        raw = json.dumps(body).encode()
        self.send_response(code, reason)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def record(self, user, form=None):
        line = "%s %s %s" % (self.command, self.path, user or "-")
        if form:
            shown = {k: ("***" if k == "password" else v)
                     for k, v in form.items()}
            line += " " + urllib.parse.urlencode(shown)
        with LOCK, open(ARGS.log, "a") as log:
            log.write(line + "\n")

    # -- authentication ----------------------------------------------------
    def authenticate(self):
        """Return (user, None) or (None, (code, reason))."""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("PVEAPIToken="):
            tokenid, _, secret = auth[len("PVEAPIToken="):].partition("=")
            if TOKENS.get(tokenid) is None or TOKENS[tokenid] != secret:
                return None, (401, "invalid token value!")
            return tokenid, None
        cookie = self.headers.get("Cookie", "")
        for part in cookie.split(";"):
            name, _, value = part.strip().partition("=")
            if name == "PVEAuthCookie":
                entry = TICKETS.get(value)
                if entry is None:
                    return None, (401, "invalid PVE ticket")
                user, csrf = entry
                if self.command != "GET" and \
                        self.headers.get("CSRFPreventionToken") != csrf:
                    return None, (401, "Permission denied - invalid csrf token")
                return user, None
        return None, (401, "No ticket")

    def read_form(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        return dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))

    # -- dispatch ----------------------------------------------------------
    def do_GET(self):
        self.handle_request()

    def do_POST(self):
        self.handle_request()

    def handle_request(self):
        form = self.read_form() if self.command == "POST" else {}
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        parts = [p for p in url.path.split("/") if p]
        if parts[:2] != ["api2", "json"]:
            self.record(None)
            return self.answer(501, "Method '%s %s' not implemented" % (
                self.command, url.path))
        parts = parts[2:]

        if parts == ["access", "ticket"] and self.command == "POST":
            self.record(form.get("username"), form)
            return self.ticket(form)

        user, error = self.authenticate()
        self.record(user, form)
        if error is not None:
            return self.answer(*error)

        if parts == ["cluster", "resources"] and self.command == "GET":
            return self.resources(query.get("type"))
        if len(parts) == 6 and parts[0] == "nodes" and parts[4] == "status":
            return self.vm_status(user, parts[1], parts[2], parts[3],
                                  parts[5], form)
        if len(parts) == 5 and parts[0] == "nodes" and parts[2] == "tasks" \
                and parts[4] == "status" and self.command == "GET":
            return self.task_status(urllib.parse.unquote(parts[3]))
        return self.answer(501, "Method '%s %s' not implemented" % (
            self.command, url.path))

    def ticket(self, form):
        user = form.get("username", "")
        if USERS.get(user) is None or USERS[user] != form.get("password"):
            time.sleep(0.1)  # Proxmox VE delays failed logins too
            return self.answer(401, "authentication failure")
        ticket = "PVE:%s:%08X::%s" % (user, int(time.time()),
                                      secrets.token_urlsafe(48))
        csrf = "%08X:%s" % (int(time.time()), secrets.token_urlsafe(32))
        with LOCK:
            TICKETS[ticket] = (user, csrf)
        return self.answer(200, "OK", {"ticket": ticket,
                                       "CSRFPreventionToken": csrf,
                                       "username": user,
                                       "cap": {"vms": {"VM.PowerMgmt": 1}}})

    def resources(self, kind):
        data = []
        with LOCK:
            if kind in (None, "node"):
                for node in NODES:
                    data.append({"id": "node/" + node, "type": "node",
                                 "node": node, "status": "online"})
            if kind in (None, "vm"):
                for vmid in sorted(VMS):
                    vm = VMS[vmid]
                    entry = {"id": "%s/%d" % (vm["type"], vmid),
                             "type": vm["type"], "vmid": vmid,
                             "name": vm["name"], "node": vm["node"],
                             "status": vm["status"], "maxmem": 2147483648,
                             "template": vm.get("template", 0)}
                    data.append(entry)
        return self.answer(200, "OK", data)

    def vm_status(self, user, node, kind, vmid_text, op, form):
        if node not in NODES:
            return self.answer(595, "no such cluster node '%s'" % node)
        if kind not in ("qemu", "lxc") or not vmid_text.isdigit():
            return self.answer(501, "Method not implemented")
        vmid = int(vmid_text)
        with LOCK:
            vm = VMS.get(vmid)
        if vm is None or vm["node"] != node or vm["type"] != kind:
            return self.answer(500, conf_path(vmid, vm or {"type": kind},
                                              node))
        if op == "current" and self.command == "GET":
            if vm.get("broken"):
                return self.answer(500, "unable to read VM %d status: "
                                   "Input/output error" % vmid)
            with LOCK:
                data = {"vmid": vmid, "name": vm["name"],
                        "status": vm["status"], "qmpstatus": vm["status"],
                        "ha": {"managed": 0}}
            return self.answer(200, "OK", data)
        if op in ("start", "stop") and self.command == "POST":
            if user in READ_ONLY:
                return self.answer(403, "Permission check failed (/vms/%d, "
                                   "VM.PowerMgmt)" % vmid)
            if form.get("skiplock") not in (None, "0") and user != "root@pam":
                return self.answer(400, "Parameter verification failed.",
                                   errors={"skiplock": "Only root may use "
                                           "this option."})
            return self.start_task(vm, vmid, node, op)
        return self.answer(501, "Method not implemented")

    def start_task(self, vm, vmid, node, op):
        kind = "qm" if vm["type"] == "qemu" else "vz"
        upid = "UPID:%s:%08X:%08X:%08X:%s%s:%d:root@pam:" % (
            node, os.getpid(), int(time.time() * 100) & 0xFFFFFFFF,
            int(time.time()), kind, op, vmid)
        task = {"upid": upid, "node": node, "status": "running",
                "type": kind + op, "id": str(vmid), "user": "root@pam"}
        with LOCK:
            TASKS[upid] = task

        def finish():
            with LOCK:
                exitstatus = "OK"
                if op == "stop" and vm["status"] == "stopped":
                    exitstatus = "VM %d not running" % vmid
                elif op == "start" and vm["status"] == "running":
                    exitstatus = "VM %d already running" % vmid
                elif op == "stop" and vm.get("never_stop"):
                    exitstatus = "VM quit/powerdown failed - got timeout"
                else:
                    vm["status"] = "stopped" if op == "stop" else "running"
                task["status"] = "stopped"
                task["exitstatus"] = exitstatus

        threading.Timer(ARGS.latency, finish).start()
        return self.answer(200, "OK", upid)

    def task_status(self, upid):
        with LOCK:
            task = dict(TASKS.get(upid) or {})
        if not task:
            return self.answer(500, "no such task")
        return self.answer(200, "OK", task)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--latency", type=float, default=0.3)
    ARGS = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(ARGS.cert, ARGS.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, ARGS.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
