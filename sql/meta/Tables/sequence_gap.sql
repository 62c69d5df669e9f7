-- A range of sequence numbers below a sequence feed's watermark that no event has filled yet: every run reads the
-- events that fall in it (a late event filling a gap), so the watermark never hides an event that arrives late.
CREATE TABLE [meta].[sequence_gap]
(
    [pipeline] VARCHAR(60) NOT NULL,
    [gap_from] BIGINT NOT NULL,
    [gap_to] BIGINT NOT NULL,
    [batch_id] BIGINT NOT NULL,
    CONSTRAINT [pk_sequence_gap] PRIMARY KEY ([pipeline], [gap_from])
);
