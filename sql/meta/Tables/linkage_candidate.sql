-- Grain: one candidate pair of one link type that the decider can use (weight at or above the review threshold, a trusted reference or an analyst-decided pair), with its comparison levels; incremental linkage re-decides only the connected groups of these pairs that new or changed records touch.
CREATE TABLE [meta].[linkage_candidate]
(
    [link_type] VARCHAR(30) NOT NULL,
    [left_record_id] VARCHAR(40) NOT NULL,
    [right_record_id] VARCHAR(40) NOT NULL,
    [levels] VARCHAR(100) NOT NULL,
    [reference_match] INT NOT NULL,
    [link_date_key] INT NOT NULL,
    [batch_id] BIGINT NOT NULL
);
