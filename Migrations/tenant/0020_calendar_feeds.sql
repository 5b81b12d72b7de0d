-- Calendar feeds: one secret ICS address per agent, read by calendar applications without a
-- session. Only a SHA-256 of the token is stored; regenerating replaces it, revoking deletes
-- the row. A table of its own (not columns of agents) so that a feed read, which stamps
-- last_used_at, is not an agent change for webhooks.
CREATE TABLE calendar_feeds (
    agent_id uuid PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    -- Privacy by default: usagers' names appear in the feed only when the agent asks for it.
    include_usager_names boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
