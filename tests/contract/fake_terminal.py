"""The fake cloud's terminal: the agent's ``GET /terminal`` WebSocket, in the standard library.

It speaks the protocol the agent spec describes: the client sends ``{"type": "input",
"data"}`` and ``{"type": "resize", "cols", "rows"}`` text frames, the agent answers
``{"type": "output", "data"}`` and, when the shell ends, ``{"type": "exit", "code"}``. The
fake shell echoes each input back as ``$ <input>`` and ends on the input ``exit\\n`` with code
0. Every message the client sent is kept, in order, in the request's recorded ``body``.
"""

import base64
import hashlib
import json
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455


def accept(handler):
    """Answers the upgrade (101); False if the request is not a WebSocket handshake."""
    key = handler.headers.get("Sec-WebSocket-Key")
    if handler.headers.get("Upgrade", "").lower() != "websocket" or not key:
        return False
    digest = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    handler.send_response(101)
    handler.send_header("Upgrade", "websocket")
    handler.send_header("Connection", "Upgrade")
    handler.send_header("Sec-WebSocket-Accept", digest)
    handler.end_headers()
    handler.wfile.flush()
    return True


def read_frame(rfile):
    """One frame from the client (masked, as clients must): (opcode, payload), or None at EOF."""
    head = rfile.read(2)
    if len(head) < 2:
        return None
    opcode, size = head[0] & 0x0F, head[1] & 0x7F
    if size == 126:
        size = struct.unpack("!H", rfile.read(2))[0]
    elif size == 127:
        size = struct.unpack("!Q", rfile.read(8))[0]
    mask = rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
    data = rfile.read(size)
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def write_frame(wfile, opcode, payload):
    """One unmasked frame from the server."""
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    wfile.write(head + payload)
    wfile.flush()


def serve(handler, record):
    """Runs the fake shell on the upgraded connection; ``record(message)`` keeps each client
    message."""

    def send(message):
        write_frame(handler.wfile, 0x1, json.dumps(message).encode())

    while True:
        frame = read_frame(handler.rfile)
        if frame is None or frame[0] == 0x8:  # end of stream, or a close frame
            break
        opcode, payload = frame
        if opcode == 0x9:  # ping
            write_frame(handler.wfile, 0xA, payload)
            continue
        if opcode != 0x1:
            continue
        message = json.loads(payload)
        record(message)
        if message.get("type") == "input":
            data = message.get("data", "")
            send({"type": "output", "data": f"$ {data}"})
            if data == "exit\n":
                send({"type": "exit", "code": 0})
                write_frame(handler.wfile, 0x8, struct.pack("!H", 1000))
                break
    handler.close_connection = True
