#!/usr/bin/python3
"""After the first load: registers version 2 of orders-value (it adds "coupon") and writes orders
of both versions, hex, one a line:  later.py REGISTRY_URL TOPIC"""
import datetime
import decimal
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from produce import AT, V1, V2, message, register  # noqa: E402

url, topic = sys.argv[1], sys.argv[2]
v1, v2 = register(url, topic + "-value", V1), register(url, topic + "-value", V2)
print(message(v2, V2, {"id": 3, "customer": "Chen", "amount": decimal.Decimal("0.50"),
                       "placed_at": AT + datetime.timedelta(hours=1), "coupon": "SPRING"}).hex())
print(message(v1, V1, {"id": 4, "customer": "Dita", "amount": decimal.Decimal("7.00"),
                       "placed_at": AT + datetime.timedelta(hours=2)}).hex())  # an old producer still runs
