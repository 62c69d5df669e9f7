-- One analyst decision on a candidate link (accept or reject) with who and when; later linkage runs respect the latest decision per pair.
CREATE TABLE [meta].[linkage_decision]
(
    [decision_id] BIGINT NOT NULL,
    [link_type] VARCHAR(30) NOT NULL,
    [left_record_id] VARCHAR(40) NOT NULL,
    [right_record_id] VARCHAR(40) NOT NULL,
    [decision] VARCHAR(10) NOT NULL,
    [decided_by] VARCHAR(40) NOT NULL,
    [decided_at] DATETIME2(3) NOT NULL,
    [link_key] BIGINT NULL,
    [score_at_decision] FLOAT NULL,
    CONSTRAINT [pk_linkage_decision] PRIMARY KEY ([decision_id])
);
