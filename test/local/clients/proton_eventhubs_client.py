"""An Event Hubs client built on Apache Qpid Proton, not on @azure/event-hubs or rhea.

Connects over AMQPS (verifying the endpoint's certificate against a CA file), puts a SAS token on $cbs itself
(token type "jwt", request without reply_to, as some clients do), sends events to one partition and reads them back
through a consumer group with a selector filter. Prints one JSON object on stdout; exit code 0 when every event
came back, 3 when the token was refused, 1 on any other failure.

Usage: proton_eventhubs_client.py <port> <hub> <partition> <ca-file> <key-name> <count>; the key comes in
LOCAL_EVENTHUBS_KEY.
"""

import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.parse
import uuid

from proton import Described, Message, SSLDomain, symbol
from proton.handlers import MessagingHandler
from proton.reactor import Container, Filter, LinkOption

SELECTOR = symbol("apache.org:selector-filter:string")


def sas_token(audience, key_name, key, ttl_seconds=600):
    encoded = urllib.parse.quote_plus(audience)
    expiry = str(int(time.time()) + ttl_seconds)
    signature = base64.b64encode(hmac.new(key.encode(), f"{encoded}\n{expiry}".encode(), hashlib.sha256).digest()).decode()
    return f"SharedAccessSignature sr={encoded}&sig={urllib.parse.quote_plus(signature)}&se={expiry}&skn={key_name}"


class ReplyTarget(LinkOption):
    """Names the target of the client's $cbs reply receiver; requests carry no reply_to."""

    def apply(self, link):
        link.target.address = "cbs-replies"


class EventHubsRoundTrip(MessagingHandler):
    def __init__(self, port, hub, partition, ca_file, key_name, key, count):
        super().__init__(auto_accept=True)
        self.url = f"amqps://127.0.0.1:{port}"
        self.audience = f"sb://localhost:{port}/{hub}"
        self.hub, self.partition, self.ca_file = hub, partition, ca_file
        self.key_name, self.key, self.count = key_name, key, count
        self.result = {"sent": 0, "accepted": 0, "received": []}
        self.exit_code = 1
        self.token_sent = False
        self.events_sent = False

    def on_start(self, event):
        domain = SSLDomain(SSLDomain.MODE_CLIENT)
        domain.set_trusted_ca_db(self.ca_file)
        domain.set_peer_authentication(SSLDomain.VERIFY_PEER_NAME, self.ca_file)
        self.container = event.container
        self.connection = event.container.connect(self.url, ssl_domain=domain, allowed_mechs="ANONYMOUS", virtual_host="localhost")
        # Proton names both $cbs links "<container>-$cbs"; AMQP allows that (a link is its name and role), rhea,
        # which serves the endpoint, does not: distinct names keep to what both accept.
        self.cbs_sender = event.container.create_sender(self.connection, "$cbs", name="cbs-requests")
        self.cbs_receiver = event.container.create_receiver(self.connection, "$cbs", name="cbs-replies", options=ReplyTarget())
        self.timeout = event.container.schedule(30, self)

    def on_timer_task(self, event):
        self.finish(1, "timed out")

    def on_connection_opened(self, event):
        transport = event.transport
        self.result["open"] = {
            "containerId": event.connection.remote_container,
            "hostname": event.connection.remote_hostname,
            "maxFrameSize": transport.remote_max_frame_size,
            "channelMax": transport.remote_channel_max,
            "idleTimeoutMs": int(transport.remote_idle_timeout * 1000),
            "properties": {str(k): v for k, v in (event.connection.remote_properties or {}).items()},
        }

    def on_link_opened(self, event):
        if event.link == getattr(self, "hub_sender", None):
            self.result["attach"] = {
                "maxMessageSize": event.link.remote_max_message_size,
                "properties": {str(k): str(v) for k, v in (event.link.remote_properties or {}).items()},
            }

    def on_sendable(self, event):
        if event.sender == self.cbs_sender and not self.token_sent:
            self.token_sent = True
            token = sas_token(self.audience, self.key_name, self.key)
            request = Message(id=str(uuid.uuid4()), body=token, properties={"operation": "put-token", "type": "jwt", "name": self.audience})
            self.cbs_sender.send(request)
        elif event.sender == getattr(self, "hub_sender", None) and not self.events_sent:
            self.events_sent = True
            for index in range(self.count):
                message = Message(body=json.dumps({"eventId": f"py-{index}", "client": "qpid-proton"}).encode(), inferred=True)
                event.sender.send(message)
                self.result["sent"] += 1

    def on_message(self, event):
        if event.receiver == self.cbs_receiver:
            properties = event.message.properties or {}
            status = int(properties.get("status-code", 0))
            self.result["putToken"] = {"status": status, "description": properties.get("status-description")}
            if 200 <= status < 300:
                self.hub_sender = self.container.create_sender(self.connection, f"{self.hub}/Partitions/{self.partition}")
            else:
                # Refused: the entity must refuse a link too.
                self.refused_sender = self.container.create_sender(self.connection, f"{self.hub}/Partitions/{self.partition}")
            return
        body = event.message.body
        text = body.tobytes().decode() if hasattr(body, "tobytes") else body.decode() if isinstance(body, bytes) else str(body)
        annotations = event.message.annotations or {}
        self.result["received"].append({"body": json.loads(text), "sequenceNumber": annotations.get(symbol("x-opt-sequence-number"))})
        if len(self.result["received"]) >= self.count:
            self.finish(0)

    def on_accepted(self, event):
        if event.link != getattr(self, "hub_sender", None):
            return
        self.result["accepted"] += 1
        if self.result["accepted"] == self.count:
            source = f"{self.hub}/ConsumerGroups/$default/Partitions/{self.partition}"
            selector = Filter({SELECTOR: Described(SELECTOR, "amqp.annotation.x-opt-offset > '-1'")})
            self.container.create_receiver(self.connection, source, options=selector)

    def on_rejected(self, event):
        self.finish(1, f"transfer rejected: {event.delivery.remote.condition}")

    def on_link_error(self, event):
        condition = event.link.remote_condition
        self.result["linkRefused"] = {"condition": str(condition.name) if condition else None, "description": condition.description if condition else None}
        self.finish(3 if "putToken" in self.result and self.result["putToken"]["status"] == 401 else 1, "link refused")

    def on_transport_error(self, event):
        condition = event.transport.condition
        self.finish(1, f"transport error: {condition.name if condition else ''} {condition.description if condition else ''}")

    def finish(self, exit_code, error=None):
        if error and exit_code != 3:
            self.result["error"] = error
        self.exit_code = exit_code
        self.timeout.cancel()
        self.connection.close()


def main():
    port, hub, partition, ca_file, key_name, count = sys.argv[1:7]
    handler = EventHubsRoundTrip(int(port), hub, partition, ca_file, key_name, os.environ["LOCAL_EVENTHUBS_KEY"], int(count))
    Container(handler).run()
    print(json.dumps(handler.result))
    sys.exit(handler.exit_code)


if __name__ == "__main__":
    main()
