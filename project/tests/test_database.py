"""The checkout check that finds connections the server has closed, on real sockets."""

import os
import resource
import socket
import unittest
from types import SimpleNamespace

from sqlalchemy.exc import DisconnectionError

from project.database import refuse_closed_connection

HIGH = 1500  # past select()'s limit of 1023


class TestClosedConnections(unittest.TestCase):
    def check(self, sock: socket.socket) -> None:
        refuse_closed_connection(SimpleNamespace(_sock=sock), None, None)

    def test_a_quiet_connection_is_kept_and_a_closed_one_refused(self):
        ours, servers = socket.socketpair()
        with ours, servers:
            self.check(ours)
            servers.close()
            with self.assertRaises(DisconnectionError):
                self.check(ours)

    def test_a_socket_numbered_past_1023(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and hard <= HIGH:
            self.skipTest(f"this process may not open descriptor {HIGH}")
        if soft <= HIGH:  # as a busy worker may, in a container with a generous limit
            resource.setrlimit(resource.RLIMIT_NOFILE, (HIGH + 1, hard))
            self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        ours, servers = socket.socketpair()
        with servers, socket.socket(fileno=os.dup2(ours.fileno(), HIGH)) as high:
            ours.close()
            self.check(high)
            servers.sendall(b"\xff")  # the server's farewell: an error packet
            with self.assertRaises(DisconnectionError):
                self.check(high)
