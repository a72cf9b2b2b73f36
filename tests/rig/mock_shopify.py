#!/usr/bin/python3
"""A mock Shopify Admin GraphQL server for the shop sync tests (issue 12).

Serves POST /admin/api/VERSION/graphql.json on loopback with the documented
shapes: fulfillmentOrders (cursor pagination, query: assigned_location_id /
updated_at, includeClosed), order(id).fulfillmentOrders, fulfillmentOrder(id)
(with fulfillments), fulfillmentCreate (userErrors, applied to its own
state), extensions.cost with a leaky-bucket throttleStatus and THROTTLED
errors. POST /control takes {"op": ...} to add or change orders and to inject
faults; GET /state tells what the shop holds, and the requests counted by
kind ("requests") and by endpoint path ("by_path": several boxes each given
their own path, e.g. /box-a/admin/api/V/graphql.json, are told apart).

  mock_shopify.py serve --port-file F --token-file T [--max-cost N --restore R]
  mock_shopify.py ctl PORT '{"op": "...", ...}'
"""
import base64
import json
import re
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.RLock()
GID = "gid://shopify/%s/%d"


def now_iso(t=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t if t is not None else time.time()))


class Shop:
    def __init__(self, max_cost, restore):
        self.orders = {}          # order id -> {"name", "fos": [fo ids]}
        self.fos = {}             # fo id -> dict (internal)
        self.fulfillments = []    # every fulfillment created
        self.next_id = {"Order": 5000000000000000001, "FulfillmentOrder": 6000000000000000001,
                        "LineItem": 7000000000000000001, "FulfillmentOrderLineItem": 8000000000000000001,
                        "Fulfillment": 9000000000000000001}
        self.max_cost, self.restore = float(max_cost), float(restore)
        self.avail, self.avail_at = float(max_cost), time.monotonic()
        self.min_avail = float(max_cost)
        self.throttled = 0
        self.flat = False         # True: a query costs what it asked for (no refund)
        self.requests = {"pull": 0, "order": 0, "fo": 0, "create": 0, "other": 0}
        self.by_path = {}         # request path -> {kind: count}
        self.faults = {"fail": [], "drop_after_apply": 0, "hold_create": False, "down": False,
                       "delay": 0.0, "http429": 0, "stall": 0,
                       "late_apply": 0}
        self.creates_seen = 0
        self.late_applied = 0
        self.too_dear = 0
        self.messages = []
        self.released = threading.Event()

    def new_id(self, kind):
        n = self.next_id[kind]
        self.next_id[kind] += 1
        return n

    # ---- orders -----------------------------------------------------------
    def add_order(self, spec):
        oid = self.new_id("Order")
        name = spec["name"]
        self.orders[oid] = {"name": name, "fos": []}
        lines = {}
        for fs in spec["fos"]:
            fid = self.new_id("FulfillmentOrder")
            fol = []
            for ls in fs["lines"]:
                key = ls.get("line") or ls["sku"]
                if key not in lines:
                    lines[key] = self.new_id("LineItem")
                fol.append({"id": self.new_id("FulfillmentOrderLineItem"), "lineItem": lines[key],
                            "sku": ls["sku"], "title": ls.get("title", "Item " + ls["sku"]),
                            "variant": ls.get("variant"), "barcode": ls.get("barcode"),
                            "total": ls["qty"], "remaining": ls["qty"], "grams": ls.get("grams", 250),
                            "requiresShipping": ls.get("requiresShipping", True)})
            self.fos[fid] = {"id": fid, "order": oid, "status": fs.get("status", "OPEN"),
                             "location": fs["location"], "method": fs.get("method", "SHIPPING"),
                             "holds": [], "lines": fol, "fulfillments": [], "updated": time.time(),
                             "destination": fs.get("destination", {
                                 "firstName": "Ada", "lastName": "Lovelace", "company": None,
                                 "address1": "12 Analytical St", "address2": None, "city": "London",
                                 "province": None, "countryCode": "GB", "zip": "N1 9GU",
                                 "phone": None, "email": "ada@example.com"})}
            self.orders[oid]["fos"].append(fid)
        return {"order": GID % ("Order", oid), "fos": [GID % ("FulfillmentOrder", f) for f in self.orders[oid]["fos"]],
                "lines": {k: GID % ("LineItem", v) for k, v in lines.items()}}

    def find_fo(self, name, index=0):
        for oid, o in self.orders.items():
            if o["name"] == name:
                return self.fos[o["fos"][index]]
        raise KeyError(name)

    def touch(self, fo):
        fo["updated"] = time.time()

    # ---- shapes -----------------------------------------------------------
    def fulfillment_json(self, f):
        return {"id": GID % ("Fulfillment", f["id"]), "status": "SUCCESS", "createdAt": f["createdAt"],
                "trackingInfo": [{"number": f["tracking"].get("number"), "company": f["tracking"].get("company"),
                                  "url": None}] if f["tracking"] else [],
                "fulfillmentLineItems": {"nodes": [{"quantity": q, "lineItem": {"id": GID % ("LineItem", li)}}
                                                   for li, q in f["lines"]]}}

    def fo_json(self, fo):
        o = self.orders[fo["order"]]
        return {
            "id": GID % ("FulfillmentOrder", fo["id"]), "orderId": GID % ("Order", fo["order"]),
            "orderName": o["name"], "status": fo["status"],
            "requestStatus": "UNSUBMITTED", "updatedAt": now_iso(fo["updated"]), "fulfillAt": None,
            "assignedLocation": {"name": "Location %d" % fo["location"],
                                 "location": {"id": GID % ("Location", fo["location"])}},
            "deliveryMethod": {"methodType": fo["method"]},
            "destination": None if fo["method"] == "PICK_UP" else fo["destination"],
            "fulfillmentHolds": fo["holds"],
            "lineItems": {"pageInfo": {"hasNextPage": False}, "nodes": [{
                "id": GID % ("FulfillmentOrderLineItem", l["id"]), "totalQuantity": l["total"],
                "remainingQuantity": l["remaining"], "sku": l["sku"], "productTitle": l["title"],
                "variantTitle": l["variant"], "weight": {"unit": "GRAMS", "value": l["grams"]},
                "lineItem": {"id": GID % ("LineItem", l["lineItem"]), "sku": l["sku"],
                             "name": l["title"] + (" - " + l["variant"] if l["variant"] else ""),
                             "title": l["title"], "variantTitle": l["variant"],
                             "requiresShipping": l["requiresShipping"],
                             "variant": {"barcode": l["barcode"], "title": l["variant"]}}}
                for l in fo["lines"]]},
            # as asked by the read-back: fulfillments(first: 10, reverse: true)
            "fulfillments": {"nodes": [self.fulfillment_json(f) for f in reversed(self.fulfillments)
                                       if fo["id"] in f["fos"]][:10]},
        }

    # ---- cost -------------------------------------------------------------
    def cost(self, requested):
        """Takes the requested cost if the bucket holds it (Shopify's rule); else THROTTLED."""
        t = time.monotonic()
        self.avail = min(self.max_cost, self.avail + (t - self.avail_at) * self.restore)
        self.avail_at = t
        ok = requested <= self.avail
        if ok:
            self.avail -= requested
            self.min_avail = min(self.min_avail, self.avail)
        else:
            self.throttled += 1
        return ok

    def refund(self, requested, actual):
        """After running: the unused part comes back; the cost extension as Shopify sends it."""
        if actual is not None and not self.flat:
            self.avail = min(self.max_cost, self.avail + requested - actual)
        return {"cost": {"requestedQueryCost": requested,
                         "actualQueryCost": (requested if self.flat else actual) if actual is not None else None,
                         "throttleStatus": {"maximumAvailable": self.max_cost,
                                            "currentlyAvailable": int(self.avail),
                                            "restoreRate": self.restore}}}

    # ---- operations -------------------------------------------------------
    def pull(self, v):
        first = int(v.get("first") or 50)
        q = v.get("query") or ""
        closed = bool(v.get("includeClosed"))
        loc, since = None, None
        for term in q.split(" AND "):
            term = term.strip()
            if term.startswith("assigned_location_id:"):
                loc = int(term.split(":", 1)[1])
            elif term.startswith("updated_at:>"):
                since = time.mktime(time.strptime(term[len("updated_at:>"):].strip("'\""),
                                                  "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        sel = []
        for fid in sorted(self.fos):
            fo = self.fos[fid]
            if loc is not None and fo["location"] != loc:
                continue
            if since is not None and fo["updated"] <= since:
                continue
            if not closed and fo["status"] in ("CLOSED", "CANCELLED"):
                continue
            sel.append(fo)
        start = int(base64.b64decode(v["after"]).decode()) if v.get("after") else 0
        page = sel[start:start + first]
        end = start + len(page)
        return {"fulfillmentOrders": {
            "pageInfo": {"hasNextPage": end < len(sel), "hasPreviousPage": start > 0,
                         "startCursor": base64.b64encode(str(start).encode()).decode() if page else None,
                         "endCursor": base64.b64encode(str(end).encode()).decode() if page else None},
            "nodes": [self.fo_json(fo) for fo in page]}}

    def create(self, v):
        inp, errs = v["fulfillment"], []
        self.messages.append(v.get("message"))
        plan = []
        for g in inp.get("lineItemsByFulfillmentOrder", []):
            fid = int(g["fulfillmentOrderId"].rsplit("/", 1)[1])
            fo = self.fos.get(fid)
            if fo is None:
                errs.append({"field": ["fulfillment"], "message": "Fulfillment order does not exist."})
                continue
            if fo["status"] not in ("OPEN", "IN_PROGRESS"):
                errs.append({"field": ["fulfillment"], "message":
                             "Fulfillment order %d has an unfulfillable status= %s." % (fid, fo["status"].lower())})
                continue
            for it in g.get("fulfillmentOrderLineItems") or []:
                lid = int(it["id"].rsplit("/", 1)[1])
                line = next((l for l in fo["lines"] if l["id"] == lid), None)
                if line is None or it["quantity"] > line["remaining"] or it["quantity"] <= 0:
                    errs.append({"field": ["fulfillment", "lineItemsByFulfillmentOrder"],
                                 "message": "Invalid fulfillment order line item quantity requested."})
                    continue
                plan.append((fo, line, it["quantity"]))
        if errs:
            return {"fulfillmentCreate": {"fulfillment": None, "userErrors": errs}}
        f = {"id": self.new_id("Fulfillment"), "createdAt": now_iso(), "fos": [],
             "tracking": inp.get("trackingInfo") or {}, "lines": [], "message": v.get("message"),
             "notify": inp.get("notifyCustomer")}
        for fo, line, q in plan:
            line["remaining"] -= q
            f["lines"].append((line["lineItem"], q))
            if fo["id"] not in f["fos"]:
                f["fos"].append(fo["id"])
        for fid in f["fos"]:
            fo = self.fos[fid]
            fo["status"] = "CLOSED" if all(l["remaining"] == 0 for l in fo["lines"]) else "IN_PROGRESS"
            self.touch(fo)
        self.fulfillments.append(f)
        return {"fulfillmentCreate": {"fulfillment": {"id": GID % ("Fulfillment", f["id"]), "status": "SUCCESS",
                                                      "createdAt": f["createdAt"]}, "userErrors": []}}

    def control(self, c):
        op = c["op"]
        if op == "add_order":
            return self.add_order(c)
        if op == "generate":
            base = c.get("start", 2000)
            for i in range(c["count"]):
                self.add_order({"name": "#%d" % (base + i), "fos": [{"location": c["location"], "lines": [
                    {"sku": "GEN-%d-%d" % (base + i, k), "qty": 1 + k % 3} for k in range(c.get("lines", 2))]}]})
            return {"ok": True}
        if op in ("hold", "release", "cancel", "close", "edit", "move", "remove_line"):
            fo = self.find_fo(c["name"], c.get("fo", 0))
            if op == "hold":
                fo["status"] = "ON_HOLD"
                fo["holds"] = [{"reason": c.get("reason", "OTHER"), "reasonNotes": c.get("notes")}]
            elif op == "release":
                fo["status"] = "OPEN" if all(l["remaining"] == l["total"] for l in fo["lines"]) else "IN_PROGRESS"
                fo["holds"] = []
            elif op == "cancel":
                for fid in self.orders[fo["order"]]["fos"]:
                    self.fos[fid]["status"] = "CANCELLED"
                    self.touch(self.fos[fid])
            elif op == "close":
                fo["status"] = "CLOSED"
            elif op == "edit":
                line = next(l for l in fo["lines"] if l["sku"] == c["sku"])
                done = line["total"] - line["remaining"]
                line["total"] = c["qty"]
                line["remaining"] = max(0, c["qty"] - done)
            elif op == "move":
                fo["location"] = c["location"]
            self.touch(fo)
            return {"ok": True}
        if op == "fault":
            for k, val in c.items():
                if k != "op":
                    self.faults[k] = val
            if not self.faults.get("hold_create"):
                self.released.set()
            return {"ok": True}
        if op == "budget":
            self.cost(0)
            self.flat = bool(c.get("flat", self.flat))
            self.max_cost = float(c.get("max", self.max_cost))
            self.restore = float(c.get("restore", self.restore))
            self.avail = float(c.get("avail", self.max_cost))
            self.avail_at = time.monotonic()
            return {"ok": True}
        if op == "release_create":
            self.released.set()
            return {"ok": True}
        raise ValueError("unknown op " + op)

    def state(self):
        return {"fulfillments": [{"id": GID % ("Fulfillment", f["id"]), "message": f["message"],
                                  "notify": f["notify"], "tracking": f["tracking"],
                                  "fos": [GID % ("FulfillmentOrder", x) for x in f["fos"]],
                                  "lines": [[GID % ("LineItem", li), q] for li, q in f["lines"]]}
                                 for f in self.fulfillments],
                "creates_seen": self.creates_seen, "late_applied": self.late_applied, "throttled": self.throttled, "too_dear": self.too_dear,
                "min_available": self.min_avail, "requests": self.requests, "messages": self.messages,
                "by_path": self.by_path,
                "fos": {GID % ("FulfillmentOrder", k): {"status": fo["status"],
                                                        "remaining": [l["remaining"] for l in fo["lines"]]}
                        for k, fo in self.fos.items()}}


SHOP = None
TOKEN = None


MAX_QUERY_COST = 1000


def first_of(q, field):
    m = re.search(field + r"\(first: (\d+)", q)
    return int(m.group(1)) if m else 0


def fo_cost(lines):
    # the node, its five objects (assignedLocation, location, deliveryMethod,
    # destination, fulfillmentHolds), the lineItems connection, and per line
    # its weight, lineItem and variant objects
    return 1 + 5 + 2 + 3 * lines


def trim_lines(data, limit):
    """lineItems(first: N) of every fulfillment order node in data: N at most, hasNextPage said."""
    if not limit:
        return
    nodes = []
    if "fulfillmentOrders" in data:
        nodes = data["fulfillmentOrders"]["nodes"]
    elif data.get("order"):
        nodes = data["order"]["fulfillmentOrders"]["nodes"]
    elif data.get("fulfillmentOrder"):
        nodes = [data["fulfillmentOrder"]]
    for n in nodes:
        li = n["lineItems"]
        li["pageInfo"]["hasNextPage"] = len(li["nodes"]) > limit
        li["nodes"] = li["nodes"][:limit]


def classify(q, v):
    """The kind of request and its requested cost, priced from `first:` as Shopify does."""
    if "fulfillmentCreate" in q:
        return "create", 10
    if "fulfillmentOrders(first: $first" in q:
        return "pull", 2 + int(v.get("first") or 50) * fo_cost(first_of(q, "lineItems"))
    if "order(id:" in q:
        return "order", 1 + 2 + first_of(q, "fulfillmentOrders") * fo_cost(first_of(q, "lineItems"))
    if "fulfillments(first:" in q:
        return "fo", 1 + 2 + first_of(q, "fulfillments") * (1 + 1 + 2 + first_of(q, "fulfillmentLineItems"))
    if "fulfillmentOrder(id:" in q:
        return "fo", 1 + fo_cost(first_of(q, "lineItems"))
    return "other", 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/state":
            with LOCK:
                self.reply(200, SHOP.state())
        else:
            self.reply(404, {"errors": "Not Found"})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/control":
            try:
                with LOCK:
                    self.reply(200, SHOP.control(json.loads(body)))
            except Exception as e:  # the test's mistake: say so
                self.reply(400, {"error": repr(e)})
            return
        if not self.path.endswith("/graphql.json"):
            self.reply(404, {"errors": "Not Found"})
            return
        if self.headers.get("X-Shopify-Access-Token") != TOKEN:
            self.reply(401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
            return
        self.graphql(json.loads(body))

    def graphql(self, req):
        q, v = req.get("query", ""), req.get("variables") or {}
        kind, cost = classify(q, v)
        with LOCK:
            SHOP.requests[kind] += 1
            per = SHOP.by_path.setdefault(self.path, {})
            per[kind] = per.get(kind, 0) + 1
            f = SHOP.faults
            delay, down = f["delay"], f["down"]
            fail = f["fail"].pop(0) if f["fail"] else None
            r429 = not fail and f["http429"] > 0
            if r429:
                f["http429"] -= 1
            stall = f["stall"] > 0
            if stall:
                f["stall"] -= 1
        if delay:
            time.sleep(delay)
        if stall:
            time.sleep(60)          # longer than the client's timeout
            return
        if down:
            self.reply(503, {"errors": "Service Unavailable"})
            return
        if fail == "huge":
            # a reply far larger than any sane one: the client must refuse it
            body = b" " * (17 * 1024 * 1024)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass
            return
        if fail:
            self.reply(int(fail), {"errors": "Internal Server Error"})
            return
        if r429:
            self.reply(429, {"errors": "Exceeded 2 calls per second for api client."}, [("Retry-After", "1")])
            return
        if kind == "create":
            with LOCK:
                late = f["late_apply"] > 0
                if late:
                    f["late_apply"] -= 1
                    SHOP.creates_seen += 1
            if late:
                # a gateway gives up at once while the shop applies it a second later
                def apply_later():
                    time.sleep(1.0)
                    with LOCK:
                        SHOP.create(v)
                        SHOP.late_applied += 1
                threading.Thread(target=apply_later, daemon=True).start()
                self.reply(502, {"errors": "Bad Gateway"})
                return
        if cost > MAX_QUERY_COST:
            with LOCK:
                SHOP.too_dear += 1
            self.reply(200, {"errors": [{"message": "Query cost is %d, which exceeds the single query max cost limit (%d)."
                                         % (cost, MAX_QUERY_COST), "extensions": {
                "code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": MAX_QUERY_COST}}]})
            return
        with LOCK:
            if not SHOP.cost(cost):
                self.reply(200, {"errors": [{"message": "Throttled", "extensions": {
                    "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                    "extensions": SHOP.refund(cost, None)})
                return
            actual = cost
            if kind == "pull":
                data = SHOP.pull(v)
                actual = 2 + sum(fo_cost(len(n["lineItems"]["nodes"])) for n in data["fulfillmentOrders"]["nodes"])
            elif kind == "order":
                oid = int(v["id"].rsplit("/", 1)[1])
                o = SHOP.orders.get(oid)
                data = {"order": None if o is None else {
                    "id": v["id"], "name": o["name"],
                    "fulfillmentOrders": {"nodes": [SHOP.fo_json(SHOP.fos[x])
                                                    for x in o["fos"]][:first_of(q, "fulfillmentOrders")]}}}
                actual = 3 + sum(fo_cost(len(n["lineItems"]["nodes"]))
                                 for n in (data["order"] or {"fulfillmentOrders": {"nodes": []}})["fulfillmentOrders"]["nodes"])
            elif kind == "fo":
                fo = SHOP.fos.get(int(v["id"].rsplit("/", 1)[1]))
                data = {"fulfillmentOrder": None if fo is None else SHOP.fo_json(fo)}
                if fo is not None:
                    n = data["fulfillmentOrder"]
                    actual = 3 + sum(4 + len(f["fulfillmentLineItems"]["nodes"]) for f in n["fulfillments"]["nodes"]) \
                        if "fulfillments(first:" in q else 1 + fo_cost(len(n["lineItems"]["nodes"]))
            elif kind == "create":
                SHOP.creates_seen += 1
                hold = f["hold_create"]
                drop = f["drop_after_apply"] > 0
                if drop:
                    f["drop_after_apply"] -= 1
                data = SHOP.create(v)
                if hold:
                    SHOP.released.clear()
            else:
                data = {}
            trim_lines(data, first_of(q, "lineItems"))
            ext = SHOP.refund(cost, actual)
        if kind == "create" and hold:
            # applied; the test kills the daemon now, then releases us
            SHOP.released.wait(30)
            self.close_connection = True
            return
        if kind == "create" and drop:
            self.close_connection = True   # applied, but the reply is lost
            return
        self.reply(200, {"data": data, "extensions": ext})


def serve(args):
    global SHOP, TOKEN
    opts = dict(zip(args[::2], args[1::2]))
    TOKEN = open(opts["--token-file"]).read().strip()
    SHOP = Shop(opts.get("--max-cost", 1000), opts.get("--restore", 50))
    srv = ThreadingHTTPServer(("127.0.0.1", int(opts.get("--port", 0))), Handler)
    srv.daemon_threads = True
    if "--cert" in opts:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts["--cert"], opts["--key"])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(opts["--port-file"] + ".tmp", "w") as fp:
        fp.write(str(srv.server_address[1]))
    import os
    os.rename(opts["--port-file"] + ".tmp", opts["--port-file"])
    srv.serve_forever()


def ctl(port, payload):
    data = payload.encode() if payload else None
    url = "http://127.0.0.1:%s/%s" % (port, "control" if data else "state")
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as r:
        print(r.read().decode())


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2:])
    elif sys.argv[1] == "ctl":
        ctl(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
