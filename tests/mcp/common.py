"""Shared by the MCP tests: start `vault mcp` through the official MCP Python SDK client,
with the whole JSON-RPC transcript teed to files the Rust test reads afterwards."""

import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def server_params():
    vault = os.environ["VAULT_BIN"]
    transcript = os.environ["TRANSCRIPT_DIR"]
    env = {k: v for k, v in os.environ.items() if k.startswith("VAULT_") or k in ("PATH", "HOME", "TERM")}
    script = 'tee -a "$T/in.jsonl" | "$VAULT_BIN" mcp | tee -a "$T/out.jsonl"'
    env["T"] = transcript
    return StdioServerParameters(command="sh", args=["-c", script], env=env, cwd=os.environ.get("WORK_DIR"))


def text(result):
    return "".join(c.text for c in result.content if getattr(c, "type", "") == "text")


def tool(result):
    return {"text": text(result), "is_error": bool(result.is_error)}


def emit(results):
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
