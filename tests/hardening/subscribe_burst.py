"""Run as its own process by the rate-limit tests: build the app from LISTSERVE_* variables,
subscribe N times from one address, print the status codes as JSON.

`python -m tests.hardening.subscribe_burst COUNT EMAIL_PREFIX`
"""

import json
import sys

from listserve import create_app
from tests.support import csrf_token


def main(count: int, email_prefix: str) -> list[int]:
    client = create_app().test_client()
    statuses = []
    for number in range(count):
        token = csrf_token(client.get("/subscribe").get_data(as_text=True))
        response = client.post(
            "/subscribe",
            data={"csrf_token": token, "email": f"{email_prefix}{number}@example.net"},
        )
        statuses.append(response.status_code)
    return statuses


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), sys.argv[2])))
