-- Core gateways report presence too (POST /internal/presence). When a node is gone, all
-- of its rows are cleared at once: that delete looks rows up by gateway.
CREATE INDEX presence_gateway_idx ON presence (gateway);
