from tests.matrix.common import READ, Row

ROWS = [
    Row("inventory:system-list", READ),
]
