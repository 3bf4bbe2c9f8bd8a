#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A raw XenStore socket client for the functional tests: sends messages
# the tools cannot (any type, an oversized header) and prints the reply.
#
#   xs-raw.py SOCKET TYPE [STRING...]
#       one request of message type TYPE (a number), payload the strings
#       each followed by a NUL; prints "TYPE payload" with NULs as '|'
#   xs-raw.py SOCKET --oversized
#       a header announcing 5000 payload bytes; prints "closed" when the
#       server closes the connection without a reply
import socket
import struct
import sys

TIMEOUT = 20


def recv_exact(s, n):
    data = b''
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def main():
    path = sys.argv[1]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect(path)
    if sys.argv[2] == '--oversized':
        s.sendall(struct.pack('<4I', 2, 1, 0, 5000))
        print('closed' if recv_exact(s, 16) is None else 'replied')
        return 0
    payload = b''.join(a.encode() + b'\0' for a in sys.argv[3:])
    s.sendall(struct.pack('<4I', int(sys.argv[2]), 7, 0, len(payload)) +
              payload)
    hdr = recv_exact(s, 16)
    if hdr is None:
        print('closed')
        return 1
    rtype, req_id, tx_id, length = struct.unpack('<4I', hdr)
    body = recv_exact(s, length) if length else b''
    if req_id != 7 or body is None:
        print('bad reply')
        return 1
    print(rtype, body.decode(errors='replace').replace('\0', '|'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
