"""echo_server.py — the echo server of the uvloop benchmark, for bench/echo.sh.

    python3 echo_server.py [--port N] [--uvloop]

asyncio's fastest form of it: a Protocol whose data_received writes the data
back (streams add a layer on top).  With --uvloop the same code runs on
uvloop's loop, as in uvloop's own benchmark.  Runs until killed.
"""
import asyncio
import socket
import sys


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main(port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 25000
    if "--uvloop" in sys.argv:
        import uvloop
        uvloop.install()
    asyncio.run(main(port))
