"""request_secret end to end, with URL-mode elicitation; the test plays the human by
posting to the one-time page. MODE: store | decline | expire | agent."""

import json
import os
import re
import socket
import threading
import urllib.error
import urllib.request

import anyio
from mcp import types

from common import ClientSession, emit, server_params, stdio_client, tool

MODE = os.environ["MODE"]
VALUE = os.environ.get("NEW_VALUE", "")
seen = {}


def raw_post(url, body, headers):
    """POST with exactly these headers (urllib would add its own Host)."""
    m = re.match(r"http://([0-9.]+):(\d+)(/.*)", url)
    host, port, path = m.group(1), int(m.group(2)), m.group(3)
    with socket.create_connection((host, port), timeout=10) as s:
        head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        s.sendall(head.encode() + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1]), data


def human(url):
    """What a person (and, for MODE=agent, a curious agent) does with the link."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            page = r.read().decode()
            seen["get_headers"] = dict(r.headers)
        seen["page"] = page
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
        host = re.match(r"http://([^/]+)", url).group(1)
        base = {"Host": host, "Content-Type": "application/x-www-form-urlencoded", "Connection": "close"}
        from urllib.parse import quote_plus
        form = f"csrf={csrf}&action=store&value={quote_plus(VALUE)}".encode()
        seen["rebinding"] = raw_post(url, form, {**base, "Host": f"evil.example.com:{host.split(':')[1]}"})[0]
        seen["cross_origin"] = raw_post(url, form, {**base, "Origin": "http://evil.example.com"})[0]
        seen["no_csrf"] = raw_post(url, f"action=store&value={quote_plus(VALUE)}".encode(), base)[0]
        seen["wrong_path"] = raw_post(url.rsplit("/", 1)[0] + "/" + "0" * 32, form, base)[0]
        if MODE == "decline":
            seen["decline"] = raw_post(url, f"csrf={csrf}&action=decline".encode(), base)[0]
            return
        # The fields a caller might hope to smuggle are ignored: the name and policy are fixed.
        smuggled = form + b"&name=TOKEN&allow=*"
        status, body = raw_post(url, smuggled, {**base, "Origin": f"http://{host}"})
        seen["store"] = status
        seen["store_body"] = body.decode(errors="replace")
        try:
            seen["second"] = raw_post(url, form, base)[0]
        except OSError as e:
            seen["second"] = f"refused: {type(e).__name__}"
    except Exception as e:  # reported to the Rust test
        seen["error"] = repr(e)


async def elicit(context, params):
    seen["elicitations"] = seen.get("elicitations", 0) + 1
    seen["elicitation"] = {"mode": params.mode, "url": params.url, "message": params.message,
                           "id": getattr(params, "elicitation_id", None)}
    if MODE == "client-decline":
        return types.ElicitResult(action="decline")
    if MODE != "expire":
        threading.Thread(target=human, args=(params.url,), daemon=True).start()
    return types.ElicitResult(action="accept")


async def main():
    out = {}
    async with stdio_client(server_params()) as (read, write):
        async with ClientSession(read, write, elicitation_callback=elicit) as session:
            await session.initialize()
            out["result"] = tool(await session.call_tool("request_secret", {
                "name": "NEW_KEY", "description": "the <b>x</b> key & more", "allow": ["127.0.0.1"],
            }))
            if MODE == "expire":
                try:
                    urllib.request.urlopen(seen["elicitation"]["url"], timeout=5)
                    seen["after_expiry"] = "served"
                except (urllib.error.URLError, OSError) as e:
                    seen["after_expiry"] = f"refused: {type(e).__name__}"
            if MODE == "store":
                out["use"] = tool(await session.call_tool("run", {
                    "argv": ["sh", "-c", 'printf "%s" "$NEW_KEY"'], "only": ["NEW_KEY"],
                }))
                out["again"] = tool(await session.call_tool("request_secret", {"name": "NEW_KEY"}))
    out["seen"] = seen
    emit(out)


anyio.run(main)
