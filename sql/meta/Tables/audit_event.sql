-- One audited action (sign-in, export, query, review decision, user change): who, when (the injected clock), what, with which parameters (JSON) and how it ended.
CREATE TABLE [meta].[audit_event]
(
    [event_id] BIGINT NOT NULL,
    [occurred_at] DATETIME2(3) NOT NULL,
    [user_name] VARCHAR(40) NOT NULL,
    [role] VARCHAR(20) NOT NULL,
    [action] VARCHAR(40) NOT NULL,
    [parameters] NVARCHAR(MAX) NULL,
    [outcome] VARCHAR(20) NOT NULL,
    CONSTRAINT [pk_audit_event] PRIMARY KEY ([event_id])
);
