CREATE TABLE orders (
    id        bigint PRIMARY KEY,
    customer  text NOT NULL,
    amount    numeric(10,2),
    placed_at timestamptz,
    status    text,
    ship_to   jsonb,
    items     jsonb,
    coupon    text
);
