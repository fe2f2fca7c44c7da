#!/usr/bin/python3
"""graphite-web's render API on 127.0.0.1:PORT (wsgiref, threaded).

usage: graphite_web.py SETTINGS_DIR PORT   (run with Debian's /usr/bin/python3)
SETTINGS_DIR holds cxone_graphite_settings.py; the sqlite database it names
is created (migrated) before the port opens.
"""
import os
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, sys.argv[1])
os.environ["GRAPHITE_SETTINGS_MODULE"] = "cxone_graphite_settings"
os.environ["DJANGO_SETTINGS_MODULE"] = "graphite.settings"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

# /metrics/find (Grafana's template variables) needs graphite-web's database.
from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0, interactive=False)


class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Handler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


make_server("127.0.0.1", int(sys.argv[2]), application, Server,
            Handler).serve_forever()
