-- One bearer token of a user for scripts: only its SHA-256 is kept; revoked_at set means it no longer authenticates.
CREATE TABLE [meta].[api_token]
(
    [token_id] BIGINT NOT NULL,
    [user_name] VARCHAR(40) NOT NULL,
    [token_sha256] CHAR(64) NOT NULL,
    [created_at] DATETIME2(3) NOT NULL,
    [revoked_at] DATETIME2(3) NULL,
    CONSTRAINT [pk_api_token] PRIMARY KEY ([token_id])
);
