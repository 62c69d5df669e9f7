-- DuckDB DDL generated from the DacFx model of sql/ by TipWarehouse.Schema. Do not edit: change sql/ instead.

CREATE SCHEMA dw;
CREATE SCHEMA meta;
CREATE SCHEMA rpt;
CREATE SCHEMA stg;

CREATE SEQUENCE dw.seq_arrest_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_call_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_caller_type_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_case_event_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_case_stage_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_crime_type_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_exploitation_type_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_geography_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_link_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_means_of_control_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_model_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_person_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_police_unit_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_prosecutor_office_key START WITH 1 INCREMENT BY 1;
CREATE SEQUENCE dw.seq_report_key START WITH 1 INCREMENT BY 1;

CREATE TABLE dw.bridge_case_event_defendant
(
    event_sequence BIGINT NOT NULL,
    defendant_index INTEGER NOT NULL,
    person_key INTEGER NOT NULL,
    age SMALLINT,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (event_sequence, defendant_index)
);
CREATE TABLE dw.bridge_case_link
(
    link_key BIGINT NOT NULL DEFAULT nextval('dw.seq_link_key'),
    case_id VARCHAR NOT NULL,
    link_type VARCHAR NOT NULL,
    left_record_id VARCHAR NOT NULL,
    right_record_id VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    score DOUBLE,
    status VARCHAR NOT NULL,
    decided_by VARCHAR,
    link_date_key INTEGER NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE dw.bridge_record_means_of_control
(
    record_type VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    means_of_control_key INTEGER NOT NULL,
    tip_definition_version VARCHAR NOT NULL,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (record_type, record_id, means_of_control_key)
);
CREATE TABLE dw.bridge_report_person
(
    report_number VARCHAR NOT NULL,
    person_id VARCHAR NOT NULL,
    person_key INTEGER NOT NULL,
    role VARCHAR NOT NULL,
    age SMALLINT,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (report_number, person_id)
);
CREATE TABLE dw.case_membership
(
    record_type VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    case_id VARCHAR NOT NULL,
    first_batch_id BIGINT NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE dw.dim_caller_type
(
    caller_type_key INTEGER NOT NULL DEFAULT nextval('dw.seq_caller_type_key'),
    caller_type_code VARCHAR NOT NULL,
    caller_type_name_es VARCHAR NOT NULL,
    PRIMARY KEY (caller_type_key),
    UNIQUE (caller_type_code)
);
CREATE TABLE dw.dim_case_stage
(
    case_stage_key INTEGER NOT NULL DEFAULT nextval('dw.seq_case_stage_key'),
    stage_code VARCHAR NOT NULL,
    stage_name_es VARCHAR NOT NULL,
    stage_order SMALLINT NOT NULL,
    agency VARCHAR NOT NULL,
    PRIMARY KEY (case_stage_key),
    UNIQUE (stage_code)
);
CREATE TABLE dw.dim_crime_type
(
    crime_type_key INTEGER NOT NULL DEFAULT nextval('dw.seq_crime_type_key'),
    penal_article VARCHAR NOT NULL,
    article_name VARCHAR NOT NULL,
    crime_family VARCHAR NOT NULL,
    tip_relevance VARCHAR NOT NULL,
    is_tip_related BOOLEAN NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    legal_basis VARCHAR,
    PRIMARY KEY (crime_type_key),
    UNIQUE (penal_article, valid_from)
);
CREATE TABLE dw.dim_date
(
    date_key INTEGER NOT NULL,
    full_date DATE NOT NULL,
    year SMALLINT NOT NULL,
    quarter SMALLINT NOT NULL,
    month SMALLINT NOT NULL,
    month_name_es VARCHAR NOT NULL,
    month_short_es VARCHAR NOT NULL,
    year_month VARCHAR NOT NULL,
    year_quarter VARCHAR NOT NULL,
    day_of_month SMALLINT NOT NULL,
    day_of_year SMALLINT NOT NULL,
    day_of_week_iso SMALLINT NOT NULL,
    day_name_es VARCHAR NOT NULL,
    is_weekend BOOLEAN NOT NULL,
    iso_week SMALLINT NOT NULL,
    iso_year SMALLINT NOT NULL,
    fiscal_year SMALLINT NOT NULL,
    fiscal_quarter SMALLINT NOT NULL,
    first_day_of_month DATE NOT NULL,
    PRIMARY KEY (date_key),
    UNIQUE (full_date)
);
CREATE TABLE dw.dim_exploitation_type
(
    exploitation_type_key INTEGER NOT NULL DEFAULT nextval('dw.seq_exploitation_type_key'),
    exploitation_code VARCHAR NOT NULL,
    exploitation_name_es VARCHAR NOT NULL,
    ctdc_category VARCHAR NOT NULL,
    PRIMARY KEY (exploitation_type_key),
    UNIQUE (exploitation_code)
);
CREATE TABLE dw.dim_geography
(
    geography_key INTEGER NOT NULL DEFAULT nextval('dw.seq_geography_key'),
    ubigeo_inei VARCHAR,
    ubigeo_reniec VARCHAR,
    district_name VARCHAR NOT NULL,
    province_code_inei VARCHAR NOT NULL,
    province_name VARCHAR NOT NULL,
    department_code_inei VARCHAR NOT NULL,
    department_name VARCHAR NOT NULL,
    pnp_directorate VARCHAR NOT NULL,
    macroregion VARCHAR,
    latitude DECIMAL(9,6),
    longitude DECIMAL(9,6),
    poverty_rate_pct DECIMAL(6,2),
    extreme_poverty_rate_pct DECIMAL(6,2),
    human_development_index DECIMAL(6,4),
    PRIMARY KEY (geography_key),
    UNIQUE (ubigeo_inei),
    UNIQUE (ubigeo_reniec)
);
CREATE TABLE dw.dim_means_of_control
(
    means_of_control_key INTEGER NOT NULL DEFAULT nextval('dw.seq_means_of_control_key'),
    control_code VARCHAR NOT NULL,
    control_name_es VARCHAR NOT NULL,
    ctdc_category VARCHAR NOT NULL,
    PRIMARY KEY (means_of_control_key),
    UNIQUE (control_code)
);
CREATE TABLE dw.dim_model
(
    model_key INTEGER NOT NULL DEFAULT nextval('dw.seq_model_key'),
    model_name VARCHAR NOT NULL,
    trainer VARCHAR NOT NULL,
    trained_at TIMESTAMP NOT NULL,
    train_from DATE,
    train_to DATE,
    test_from DATE,
    test_to DATE,
    threshold DOUBLE NOT NULL,
    auc DOUBLE,
    pr_auc DOUBLE,
    precision DOUBLE,
    recall DOUBLE,
    f1 DOUBLE,
    is_active BOOLEAN NOT NULL,
    artifact_path VARCHAR,
    label_source VARCHAR,
    prevalence_sd DOUBLE,
    recall_target DOUBLE,
    precision_floor DOUBLE,
    PRIMARY KEY (model_key),
    UNIQUE (model_name)
);
CREATE TABLE dw.dim_person
(
    person_key INTEGER NOT NULL DEFAULT nextval('dw.seq_person_key'),
    person_nk VARCHAR NOT NULL,
    dni_pseudonym VARCHAR,
    name_pseudonym VARCHAR,
    name_phonetic_pseudonym VARCHAR,
    age_band VARCHAR NOT NULL,
    sex VARCHAR NOT NULL,
    nationality VARCHAR NOT NULL,
    source_system VARCHAR NOT NULL,
    valid_from TIMESTAMP NOT NULL,
    valid_to TIMESTAMP,
    is_current BOOLEAN NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE dw.dim_police_unit
(
    police_unit_key INTEGER NOT NULL DEFAULT nextval('dw.seq_police_unit_key'),
    station_id VARCHAR NOT NULL,
    station_name VARCHAR NOT NULL,
    directorate VARCHAR NOT NULL,
    geography_key INTEGER NOT NULL,
    tip_training_date DATE,
    is_inferred BOOLEAN NOT NULL,
    valid_from TIMESTAMP NOT NULL,
    valid_to TIMESTAMP,
    is_current BOOLEAN NOT NULL,
    row_hash VARCHAR,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (police_unit_key),
    UNIQUE (station_id, valid_from)
);
CREATE TABLE dw.dim_prosecutor_office
(
    prosecutor_office_key INTEGER NOT NULL DEFAULT nextval('dw.seq_prosecutor_office_key'),
    office_code VARCHAR NOT NULL,
    office_name VARCHAR NOT NULL,
    geography_key INTEGER NOT NULL,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (prosecutor_office_key),
    UNIQUE (office_code)
);
CREATE TABLE dw.fact_arrest
(
    arrest_key BIGINT NOT NULL DEFAULT nextval('dw.seq_arrest_key'),
    arrest_id VARCHAR NOT NULL,
    report_key BIGINT NOT NULL,
    report_number VARCHAR NOT NULL,
    person_key INTEGER NOT NULL,
    arrest_date_key INTEGER NOT NULL,
    police_unit_key INTEGER NOT NULL,
    geography_key INTEGER NOT NULL,
    arrest_count INTEGER NOT NULL,
    source_updated_at TIMESTAMP NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE dw.fact_call_score
(
    call_key BIGINT NOT NULL,
    model_key INTEGER NOT NULL,
    score_date_key INTEGER NOT NULL,
    probability DOUBLE NOT NULL,
    is_flagged BOOLEAN NOT NULL,
    scored_at TIMESTAMP NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE dw.fact_case_event
(
    case_event_key BIGINT NOT NULL DEFAULT nextval('dw.seq_case_event_key'),
    event_sequence BIGINT NOT NULL,
    case_number VARCHAR NOT NULL,
    event_date_key INTEGER NOT NULL,
    reported_date_key INTEGER NOT NULL,
    case_stage_key INTEGER NOT NULL,
    prosecutor_office_key INTEGER NOT NULL,
    geography_key INTEGER NOT NULL,
    crime_type_key INTEGER NOT NULL,
    is_tip_related BOOLEAN NOT NULL,
    cited_report_number VARCHAR,
    charged_articles VARCHAR,
    defendant_count INTEGER NOT NULL,
    sentence_outcome VARCHAR,
    sentence_years DECIMAL(5,1),
    event_count INTEGER NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE dw.fact_case_lifecycle
(
    case_id VARCHAR NOT NULL,
    first_call_date_key INTEGER NOT NULL,
    police_report_date_key INTEGER NOT NULL,
    first_arrest_date_key INTEGER NOT NULL,
    prosecution_opened_date_key INTEGER NOT NULL,
    formalization_date_key INTEGER NOT NULL,
    accusation_date_key INTEGER NOT NULL,
    trial_date_key INTEGER NOT NULL,
    sentence_date_key INTEGER NOT NULL,
    prison_entry_date_key INTEGER NOT NULL,
    release_date_key INTEGER NOT NULL,
    days_call_to_report INTEGER,
    days_report_to_prosecution INTEGER,
    days_prosecution_to_formalization INTEGER,
    days_formalization_to_trial INTEGER,
    days_trial_to_sentence INTEGER,
    days_sentence_to_prison INTEGER,
    days_prison_to_release INTEGER,
    days_first_contact_to_sentence INTEGER,
    current_stage_key INTEGER NOT NULL,
    outcome VARCHAR,
    geography_key INTEGER NOT NULL,
    police_unit_key INTEGER NOT NULL,
    crime_type_key INTEGER NOT NULL,
    is_tip_related BOOLEAN NOT NULL,
    hotline_call_count INTEGER NOT NULL,
    police_report_count INTEGER NOT NULL,
    arrest_count INTEGER NOT NULL,
    case_event_count INTEGER NOT NULL,
    last_updated_batch_id BIGINT NOT NULL
);
CREATE TABLE dw.fact_hotline_call
(
    call_key BIGINT NOT NULL DEFAULT nextval('dw.seq_call_key'),
    call_id VARCHAR NOT NULL,
    call_date_key INTEGER NOT NULL,
    call_hour SMALLINT NOT NULL,
    call_ts_lima TIMESTAMP NOT NULL,
    geography_key INTEGER NOT NULL,
    caller_type_key INTEGER NOT NULL,
    victim_person_key INTEGER NOT NULL,
    referred_police_unit_key INTEGER NOT NULL,
    referral_date_key INTEGER NOT NULL,
    duration_sec INTEGER,
    victim_age SMALLINT,
    is_minor BOOLEAN,
    victim_sex VARCHAR,
    operator_category VARCHAR,
    is_tip_by_operator BOOLEAN,
    hours_to_referral DECIMAL(9,2),
    narrative VARCHAR,
    ubigeo_source_coding VARCHAR NOT NULL,
    is_ubigeo_ambiguous BOOLEAN,
    call_count INTEGER NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE dw.fact_police_report
(
    report_key BIGINT NOT NULL DEFAULT nextval('dw.seq_report_key'),
    report_number VARCHAR NOT NULL,
    report_date_key INTEGER NOT NULL,
    incident_date_key INTEGER NOT NULL,
    police_unit_key INTEGER NOT NULL,
    geography_key INTEGER NOT NULL,
    crime_type_key INTEGER NOT NULL,
    exploitation_type_key INTEGER NOT NULL,
    source_call_id VARCHAR,
    modality VARCHAR,
    status VARCHAR NOT NULL,
    is_tip_related BOOLEAN NOT NULL,
    victim_count INTEGER NOT NULL,
    suspect_count INTEGER NOT NULL,
    report_count INTEGER NOT NULL,
    source_updated_at TIMESTAMP NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE dw.ref_operator_category
(
    operator_category VARCHAR NOT NULL,
    is_tip BOOLEAN NOT NULL,
    exploitation_code VARCHAR,
    description_es VARCHAR NOT NULL,
    PRIMARY KEY (operator_category)
);
CREATE TABLE dw.tip_determination
(
    record_type VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    tip_status VARCHAR NOT NULL,
    is_tip BOOLEAN NOT NULL,
    tip_basis VARCHAR NOT NULL,
    related_series VARCHAR,
    exploitation_type_key INTEGER NOT NULL,
    exploitation_basis VARCHAR,
    tip_definition_version VARCHAR NOT NULL,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (record_type, record_id)
);
CREATE TABLE meta.api_token
(
    token_id BIGINT NOT NULL,
    user_name VARCHAR NOT NULL,
    token_sha256 VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    PRIMARY KEY (token_id)
);
CREATE TABLE meta.app_user
(
    user_name VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    password_hash VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_name)
);
CREATE TABLE meta.audit_event
(
    event_id BIGINT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    user_name VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    parameters VARCHAR,
    outcome VARCHAR NOT NULL,
    PRIMARY KEY (event_id)
);
CREATE TABLE meta.batch
(
    batch_id BIGINT NOT NULL,
    run_id BIGINT NOT NULL,
    pipeline VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,
    watermark_before VARCHAR,
    watermark_after VARCHAR,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    duration_ms BIGINT,
    error VARCHAR,
    PRIMARY KEY (batch_id)
);
CREATE TABLE meta.call_label_decision
(
    decision_id BIGINT NOT NULL,
    call_id VARCHAR NOT NULL,
    decision VARCHAR NOT NULL,
    decided_by VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    model_name VARCHAR,
    probability_at_decision DOUBLE,
    PRIMARY KEY (decision_id)
);
CREATE TABLE meta.data_quality_flag
(
    batch_id BIGINT NOT NULL,
    pipeline VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    natural_key VARCHAR NOT NULL,
    flag VARCHAR NOT NULL,
    source_value VARCHAR,
    detail VARCHAR
);
CREATE TABLE meta.data_quality_result
(
    batch_id BIGINT NOT NULL,
    check_name VARCHAR NOT NULL,
    pipeline VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    column_name VARCHAR,
    severity VARCHAR NOT NULL,
    failed_rows BIGINT NOT NULL,
    total_rows BIGINT NOT NULL,
    passed BOOLEAN NOT NULL,
    detail VARCHAR,
    checked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (batch_id, check_name)
);
CREATE TABLE meta.file_manifest
(
    pipeline VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_size BIGINT NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    reason VARCHAR,
    file_modified_at TIMESTAMP,
    PRIMARY KEY (pipeline, file_name)
);
CREATE TABLE meta.full_compare
(
    pipeline VARCHAR NOT NULL,
    compared_at TIMESTAMP NOT NULL,
    run_id BIGINT NOT NULL,
    rows_compared BIGINT NOT NULL,
    rows_changed BIGINT NOT NULL,
    PRIMARY KEY (pipeline)
);
CREATE TABLE meta.linkage_candidate
(
    link_type VARCHAR NOT NULL,
    left_record_id VARCHAR NOT NULL,
    right_record_id VARCHAR NOT NULL,
    levels VARCHAR NOT NULL,
    reference_match INTEGER NOT NULL,
    link_date_key INTEGER NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE meta.linkage_decision
(
    decision_id BIGINT NOT NULL,
    link_type VARCHAR NOT NULL,
    left_record_id VARCHAR NOT NULL,
    right_record_id VARCHAR NOT NULL,
    decision VARCHAR NOT NULL,
    decided_by VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL,
    link_key BIGINT,
    score_at_decision DOUBLE,
    PRIMARY KEY (decision_id)
);
CREATE TABLE meta.linkage_model
(
    link_type VARCHAR NOT NULL,
    field_index INTEGER NOT NULL,
    field_name VARCHAR NOT NULL,
    level INTEGER NOT NULL,
    m DOUBLE NOT NULL,
    u DOUBLE NOT NULL,
    prior DOUBLE NOT NULL,
    estimated BOOLEAN NOT NULL,
    iterations INTEGER NOT NULL,
    pair_count BIGINT NOT NULL,
    settings VARCHAR NOT NULL,
    estimated_at TIMESTAMP NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE meta.linkage_report_features
(
    report_number VARCHAR NOT NULL,
    call_ref VARCHAR,
    date_key INTEGER,
    geography_key INTEGER,
    police_unit_key INTEGER,
    crime_type_key INTEGER,
    victims VARCHAR,
    normalized_number VARCHAR,
    batch_id BIGINT NOT NULL
);
CREATE TABLE meta.pipeline_run
(
    run_id BIGINT NOT NULL,
    pipeline VARCHAR NOT NULL,
    trigger_kind VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status VARCHAR NOT NULL,
    error VARCHAR,
    window_from DATE,
    window_to DATE,
    host VARCHAR,
    PRIMARY KEY (run_id)
);
CREATE TABLE meta.reject
(
    reject_id BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    pipeline VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT,
    source_column VARCHAR,
    reason_code VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    raw_text VARCHAR,
    quarantined_at TIMESTAMP NOT NULL,
    PRIMARY KEY (reject_id)
);
CREATE TABLE meta.schema_version
(
    version_id INTEGER NOT NULL,
    schema_hash VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    engine VARCHAR NOT NULL,
    changes VARCHAR,
    PRIMARY KEY (version_id)
);
CREATE TABLE meta.sequence_gap
(
    pipeline VARCHAR NOT NULL,
    gap_from BIGINT NOT NULL,
    gap_to BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (pipeline, gap_from)
);
CREATE TABLE meta.source_row_hash
(
    pipeline VARCHAR NOT NULL,
    natural_key VARCHAR NOT NULL,
    row_hash VARCHAR NOT NULL,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (pipeline, natural_key)
);
CREATE TABLE meta.watermark
(
    pipeline VARCHAR NOT NULL,
    watermark_name VARCHAR NOT NULL,
    watermark_value VARCHAR NOT NULL,
    batch_id BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (pipeline, watermark_name)
);
CREATE TABLE rpt.funnel_summary
(
    entry_year_month VARCHAR NOT NULL,
    is_tip_related BOOLEAN,
    stage_order INTEGER NOT NULL,
    days_from_previous INTEGER,
    cases BIGINT NOT NULL,
    source_stamp VARCHAR NOT NULL
);
CREATE TABLE rpt.monthly_summary
(
    year_month VARCHAR NOT NULL,
    hotline_calls BIGINT NOT NULL,
    calls_tip_by_operator BIGINT NOT NULL,
    calls_scored BIGINT NOT NULL,
    calls_tip_by_model BIGINT NOT NULL,
    tip_police_reports BIGINT NOT NULL,
    tip_arrests BIGINT NOT NULL,
    cases_sent_to_prosecution BIGINT NOT NULL,
    formalizations BIGINT NOT NULL,
    sentences BIGINT NOT NULL,
    convictions BIGINT NOT NULL,
    op_not_tip_calls BIGINT NOT NULL,
    op_not_tip_sure_tip BIGINT NOT NULL,
    op_not_tip_sure_not BIGINT NOT NULL,
    op_tip_calls BIGINT NOT NULL,
    op_tip_sure_tip BIGINT NOT NULL,
    op_tip_sure_not BIGINT NOT NULL,
    tip_cases_sent_to_prosecution BIGINT NOT NULL,
    tip_cases_in_process BIGINT NOT NULL,
    persons_charged_pimping BIGINT NOT NULL,
    tip_convictions BIGINT NOT NULL,
    tip_definition_versions VARCHAR,
    tip_posterior_by_model DOUBLE NOT NULL,
    tip_posterior_variance DOUBLE NOT NULL,
    tip_posterior_rate_shift DOUBLE NOT NULL,
    tip_posterior_false_rate_shift DOUBLE NOT NULL,
    tip_label_rate DOUBLE,
    false_tip_label_rate DOUBLE,
    tip_label_rate_sd DOUBLE,
    false_tip_label_rate_sd DOUBLE,
    source_stamp VARCHAR NOT NULL,
    PRIMARY KEY (year_month)
);
CREATE TABLE stg.hotline_call
(
    batch_id BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    call_id VARCHAR NOT NULL,
    call_ts_lima TIMESTAMP NOT NULL,
    duration_sec INTEGER,
    caller_type VARCHAR,
    ubigeo VARCHAR,
    victim_name_pseudonym VARCHAR,
    victim_name_phonetic_pseudonym VARCHAR,
    victim_dni_pseudonym VARCHAR,
    victim_age SMALLINT,
    victim_sex VARCHAR,
    narrative VARCHAR,
    operator_category VARCHAR,
    referred_station_id VARCHAR,
    referral_ts_lima TIMESTAMP
);
CREATE TABLE stg.police_arrest
(
    batch_id BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    arrest_id VARCHAR NOT NULL,
    report_number VARCHAR NOT NULL,
    person_id VARCHAR,
    arrest_date DATE NOT NULL,
    source_updated_at TIMESTAMP NOT NULL
);
CREATE TABLE stg.police_person
(
    batch_id BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    person_id VARCHAR NOT NULL,
    report_number VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    name_pseudonym VARCHAR,
    name_phonetic_pseudonym VARCHAR,
    dni_pseudonym VARCHAR,
    age SMALLINT,
    sex VARCHAR,
    nationality VARCHAR,
    source_updated_at TIMESTAMP NOT NULL
);
CREATE TABLE stg.police_person_role
(
    person_id VARCHAR NOT NULL,
    report_number VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    source_updated_at TIMESTAMP NOT NULL,
    batch_id BIGINT NOT NULL,
    PRIMARY KEY (person_id)
);
CREATE TABLE stg.police_report
(
    batch_id BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    report_number VARCHAR NOT NULL,
    incident_date DATE,
    report_date DATE NOT NULL,
    station_id VARCHAR,
    penal_article VARCHAR,
    modality VARCHAR,
    source_call_id VARCHAR,
    status VARCHAR,
    source_updated_at TIMESTAMP NOT NULL
);
CREATE TABLE stg.police_station
(
    batch_id BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    station_id VARCHAR NOT NULL,
    station_name VARCHAR,
    directorate VARCHAR,
    ubigeo_inei VARCHAR,
    tip_training_date DATE,
    source_updated_at TIMESTAMP NOT NULL
);
CREATE TABLE stg.prosecution_defendant
(
    batch_id BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    event_sequence BIGINT NOT NULL,
    defendant_index INTEGER NOT NULL,
    name_pseudonym VARCHAR,
    name_phonetic_pseudonym VARCHAR,
    dni_pseudonym VARCHAR,
    age SMALLINT,
    sex VARCHAR
);
CREATE TABLE stg.prosecution_event
(
    batch_id BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    event_sequence BIGINT NOT NULL,
    case_number VARCHAR NOT NULL,
    event_type VARCHAR NOT NULL,
    event_date DATE NOT NULL,
    reported_on DATE,
    office_code VARCHAR,
    office_ubigeo_inei VARCHAR,
    cited_report_number VARCHAR,
    charged_articles VARCHAR,
    defendant_count INTEGER NOT NULL,
    sentence_outcome VARCHAR,
    sentence_years DECIMAL(5,1)
);

CREATE VIEW rpt.v_case_funnel AS
SELECT s.stage_order, s.stage_code, s.cases,
       CASE WHEN p.cases IS NULL OR p.cases = 0 THEN NULL ELSE CAST(s.cases AS DOUBLE) / p.cases END AS conversion_from_previous
FROM
(
    SELECT 1 AS stage_order, 'HOTLINE_CALL' AS stage_code, SUM(CASE WHEN first_call_date_key > 0 THEN 1 ELSE 0 END) AS cases FROM dw.fact_case_lifecycle
    UNION ALL SELECT 2, 'POLICE_REPORT', SUM(CASE WHEN police_report_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 3, 'PROSECUTION', SUM(CASE WHEN prosecution_opened_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 4, 'FORMALIZATION', SUM(CASE WHEN formalization_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 5, 'TRIAL', SUM(CASE WHEN trial_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 6, 'CONVICTION', SUM(CASE WHEN sentence_date_key > 0 AND outcome = 'CONDENA' THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 7, 'PRISON', SUM(CASE WHEN prison_entry_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
) AS s
LEFT JOIN
(
    SELECT 2 AS next_order, SUM(CASE WHEN first_call_date_key > 0 THEN 1 ELSE 0 END) AS cases FROM dw.fact_case_lifecycle
    UNION ALL SELECT 3, SUM(CASE WHEN police_report_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 4, SUM(CASE WHEN prosecution_opened_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 5, SUM(CASE WHEN formalization_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 6, SUM(CASE WHEN trial_date_key > 0 THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
    UNION ALL SELECT 7, SUM(CASE WHEN sentence_date_key > 0 AND outcome = 'CONDENA' THEN 1 ELSE 0 END) FROM dw.fact_case_lifecycle
) AS p ON p.next_order = s.stage_order;
CREATE VIEW rpt.v_directorate_monthly AS
SELECT
    x.directorate,
    x.year_month,
    SUM(x.tip_calls) AS tip_calls,
    SUM(x.referred_tip_calls) AS referred_tip_calls,
    SUM(x.referred_tip_calls_reported) AS referred_tip_calls_reported,
    SUM(x.tip_reports) AS tip_reports
FROM
(
    SELECT
        CASE WHEN f.referred_police_unit_key > 0 THEN pu.directorate ELSE g.pnp_directorate END AS directorate,
        d.year_month,
        f.call_count AS tip_calls,
        CASE WHEN f.referred_police_unit_key > 0 THEN f.call_count ELSE 0 END AS referred_tip_calls,
        CASE WHEN f.referred_police_unit_key > 0 AND r.source_call_id IS NOT NULL THEN f.call_count ELSE 0 END AS referred_tip_calls_reported,
        0 AS tip_reports
    FROM dw.fact_hotline_call AS f
    INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
    INNER JOIN dw.dim_geography AS g ON g.geography_key = f.geography_key
    LEFT JOIN dw.dim_police_unit AS pu ON pu.police_unit_key = f.referred_police_unit_key
    LEFT JOIN
    (
        SELECT source_call_id
        FROM dw.fact_police_report
        WHERE source_call_id IS NOT NULL
        GROUP BY source_call_id
    ) AS r ON r.source_call_id = f.call_id
    WHERE f.is_tip_by_operator = 1
    UNION ALL
    SELECT pu.directorate, d.year_month, 0, 0, 0, rep.report_count
    FROM dw.fact_police_report AS rep
    INNER JOIN dw.dim_police_unit AS pu ON pu.police_unit_key = rep.police_unit_key
    INNER JOIN dw.dim_date AS d ON d.date_key = rep.report_date_key
    WHERE rep.is_tip_related = 1
) AS x
GROUP BY x.directorate, x.year_month;
CREATE VIEW rpt.v_funnel_cases AS
SELECT
    l.case_id,
    d.year_month AS entry_year_month,
    l.is_tip_related,
    l.first_call_date_key AS call_date_key,
    l.police_report_date_key AS report_date_key,
    l.prosecution_opened_date_key AS prosecution_date_key,
    l.formalization_date_key AS charge_date_key,
    l.trial_date_key,
    CASE WHEN l.outcome = 'CONDENA' OR l.outcome = 'CONVICTED' OR l.outcome = 'CONVICTION' THEN l.sentence_date_key ELSE -1 END AS conviction_date_key,
    l.prison_entry_date_key AS prison_date_key,
    l.outcome
FROM dw.fact_case_lifecycle AS l
INNER JOIN dw.dim_date AS d
    ON d.date_key = CASE
        WHEN l.first_call_date_key > 0 THEN l.first_call_date_key
        WHEN l.police_report_date_key > 0 THEN l.police_report_date_key
        WHEN l.prosecution_opened_date_key > 0 THEN l.prosecution_opened_date_key
        ELSE -1
    END
WHERE d.date_key > 0;
CREATE VIEW rpt.v_model_confidence_thresholds AS
SELECT
    AVG(CASE WHEN f.is_tip_by_operator = 1 THEN sc.probability END) AS tip_threshold,
    AVG(CASE WHEN f.is_tip_by_operator = 0 THEN 1.0 - sc.probability END) AS not_tip_threshold
FROM dw.fact_call_score AS sc
INNER JOIN dw.dim_model AS mo ON mo.model_key = sc.model_key AND mo.is_active = 1
INNER JOIN dw.fact_hotline_call AS f ON f.call_key = sc.call_key;
CREATE VIEW rpt.v_model_noise_rates AS
SELECT
    c.confident_tip_calls,
    c.confident_tip_labelled_tip,
    c.confident_not_calls,
    c.confident_not_labelled_tip,
    1.0 * c.confident_tip_labelled_tip / NULLIF(c.confident_tip_calls, 0) AS tip_label_rate,
    1.0 * c.confident_not_labelled_tip / NULLIF(c.confident_not_calls, 0) AS false_tip_label_rate,
    SQRT((1.0 * c.confident_tip_labelled_tip / NULLIF(c.confident_tip_calls, 0))
         * (1.0 - (1.0 * c.confident_tip_labelled_tip / NULLIF(c.confident_tip_calls, 0))) / NULLIF(c.confident_tip_calls, 0)) AS tip_label_rate_sd,
    SQRT((1.0 * c.confident_not_labelled_tip / NULLIF(c.confident_not_calls, 0))
         * (1.0 - (1.0 * c.confident_not_labelled_tip / NULLIF(c.confident_not_calls, 0))) / NULLIF(c.confident_not_calls, 0)) AS false_tip_label_rate_sd
FROM
(
    SELECT
        SUM(CASE WHEN sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold THEN 1 ELSE 0 END) AS confident_tip_calls,
        SUM(CASE WHEN sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold AND f.is_tip_by_operator = 1 THEN 1 ELSE 0 END) AS confident_tip_labelled_tip,
        SUM(CASE WHEN sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold THEN 1 ELSE 0 END) AS confident_not_calls,
        SUM(CASE WHEN sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold AND f.is_tip_by_operator = 1 THEN 1 ELSE 0 END) AS confident_not_labelled_tip
    FROM dw.fact_call_score AS sc
    INNER JOIN dw.dim_model AS mo ON mo.model_key = sc.model_key AND mo.is_active = 1
    INNER JOIN dw.fact_hotline_call AS f ON f.call_key = sc.call_key
    CROSS JOIN rpt.v_model_confidence_thresholds AS th
    WHERE f.is_tip_by_operator IS NOT NULL
) AS c;
CREATE VIEW rpt.v_model_call_posterior AS
SELECT
    e.call_key,
    e.call_date_key,
    e.geography_key,
    e.is_tip_by_operator,
    e.probability,
    CASE WHEN e.is_tip_by_operator = 1 THEN CASE WHEN e.probability <= 0 THEN 0.0 ELSE e.a * e.eta / e.probability END
         WHEN e.is_tip_by_operator = 0 THEN CASE WHEN e.probability >= e.a THEN 1.0 ELSE (1.0 - e.a) * e.eta / (1.0 - e.probability) END
         ELSE e.eta END AS posterior,
    CASE WHEN e.is_tip_by_operator = 1 THEN CASE WHEN e.probability <= 0 THEN 0.0 ELSE e.a_up * e.eta_a / e.probability END
         WHEN e.is_tip_by_operator = 0 THEN CASE WHEN e.probability >= e.a_up THEN 1.0 ELSE (1.0 - e.a_up) * e.eta_a / (1.0 - e.probability) END
         ELSE e.eta_a END AS posterior_rate_shift,
    CASE WHEN e.is_tip_by_operator = 1 THEN CASE WHEN e.probability <= 0 THEN 0.0 ELSE e.a * e.eta_b / e.probability END
         WHEN e.is_tip_by_operator = 0 THEN CASE WHEN e.probability >= e.a THEN 1.0 ELSE (1.0 - e.a) * e.eta_b / (1.0 - e.probability) END
         ELSE e.eta_b END AS posterior_false_rate_shift
FROM
(
    SELECT
        r.call_key, r.call_date_key, r.geography_key, r.is_tip_by_operator, r.probability, r.a, r.a_up,
        CASE WHEN r.probability <= r.b THEN 0.0 WHEN r.probability >= r.a THEN 1.0 ELSE (r.probability - r.b) / (r.a - r.b) END AS eta,
        CASE WHEN r.probability <= r.b THEN 0.0 WHEN r.probability >= r.a_up THEN 1.0 ELSE (r.probability - r.b) / (r.a_up - r.b) END AS eta_a,
        CASE WHEN r.probability <= r.b_up THEN 0.0 WHEN r.probability >= r.a THEN 1.0 ELSE (r.probability - r.b_up) / (r.a - r.b_up) END AS eta_b
    FROM
    (
        SELECT
            sc.call_key, f.call_date_key, f.geography_key, f.is_tip_by_operator, 1.0 * sc.probability AS probability,
            CASE WHEN nr.tip_label_rate > nr.false_tip_label_rate + nr.false_tip_label_rate_sd THEN nr.tip_label_rate END AS a,
            CASE WHEN nr.tip_label_rate > nr.false_tip_label_rate + nr.false_tip_label_rate_sd THEN nr.false_tip_label_rate END AS b,
            CASE WHEN nr.tip_label_rate > nr.false_tip_label_rate + nr.false_tip_label_rate_sd
                 THEN CASE WHEN nr.tip_label_rate + nr.tip_label_rate_sd > 1.0 THEN 1.0 ELSE nr.tip_label_rate + nr.tip_label_rate_sd END END AS a_up,
            CASE WHEN nr.tip_label_rate > nr.false_tip_label_rate + nr.false_tip_label_rate_sd THEN nr.false_tip_label_rate + nr.false_tip_label_rate_sd END AS b_up
        FROM dw.fact_call_score AS sc
        INNER JOIN dw.dim_model AS mo ON mo.model_key = sc.model_key AND mo.is_active = 1
        INNER JOIN dw.fact_hotline_call AS f ON f.call_key = sc.call_key
        CROSS JOIN rpt.v_model_noise_rates AS nr
    ) AS r
) AS e;
CREATE VIEW rpt.v_monthly_national AS
SELECT
    m.year_month,
    m.year,
    m.month,
    m.month_name_es,
    COALESCE(c.hotline_calls, 0) AS hotline_calls,
    COALESCE(c.calls_tip_by_operator, 0) AS calls_tip_by_operator,
    COALESCE(s.calls_tip_by_model, 0) AS calls_tip_by_model,
    COALESCE(s.calls_scored, 0) AS calls_scored,
    COALESCE(s.tip_expected_by_model, 0) AS tip_expected_by_model,
    COALESCE(s.tip_variance_by_model, 0) AS tip_variance_by_model,
    s.model_prevalence_sd AS model_prevalence_sd,
    COALESCE(s.op_not_tip_calls, 0) AS op_not_tip_calls,
    COALESCE(s.op_not_tip_sure_tip, 0) AS op_not_tip_sure_tip,
    COALESCE(s.op_not_tip_sure_not, 0) AS op_not_tip_sure_not,
    COALESCE(s.op_tip_calls, 0) AS op_tip_calls,
    COALESCE(s.op_tip_sure_tip, 0) AS op_tip_sure_tip,
    COALESCE(s.op_tip_sure_not, 0) AS op_tip_sure_not,
    COALESCE(q.tip_posterior_by_model, 0) AS tip_posterior_by_model,
    COALESCE(q.tip_posterior_variance, 0) AS tip_posterior_variance,
    COALESCE(q.tip_posterior_rate_shift, 0) AS tip_posterior_rate_shift,
    COALESCE(q.tip_posterior_false_rate_shift, 0) AS tip_posterior_false_rate_shift,
    COALESCE(p.tip_police_reports, 0) AS tip_police_reports,
    COALESCE(p.police_reports, 0) AS police_reports,
    COALESCE(a.tip_arrests, 0) AS tip_arrests,
    COALESCE(e.cases_received, 0) AS cases_sent_to_prosecution,
    COALESCE(e.formalizations, 0) AS formalizations,
    COALESCE(e.sentences, 0) AS sentences,
    COALESCE(e.convictions, 0) AS convictions
FROM
(
    SELECT year_month, MIN(year) AS year, MIN(month) AS month, MIN(month_name_es) AS month_name_es
    FROM dw.dim_date
    WHERE date_key > 0
    GROUP BY year_month
) AS m
LEFT JOIN
(
    SELECT d.year_month,
           SUM(f.call_count) AS hotline_calls,
           SUM(CASE WHEN f.is_tip_by_operator = 1 THEN f.call_count ELSE 0 END) AS calls_tip_by_operator
    FROM dw.fact_hotline_call AS f
    INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
    GROUP BY d.year_month
) AS c ON c.year_month = m.year_month
LEFT JOIN
(
    SELECT d.year_month,
           COUNT(*) AS calls_scored,
           SUM(CASE WHEN sc.is_flagged = 1 THEN 1 ELSE 0 END) AS calls_tip_by_model,
           -- Prevalence from calibrated probabilities: their sum is the expected number of TIP calls, the sum of p(1 - p)
           -- its Bernoulli variance (the monthly report adds the model's calibration variance).
           SUM(sc.probability) AS tip_expected_by_model,
           SUM(sc.probability * (1.0 - sc.probability)) AS tip_variance_by_model,
           MAX(mo.prevalence_sd) AS model_prevalence_sd,
           -- Confident learning (the monthly report's tip_share_model): per operator label, its calls and how many of them
           -- the model is confident are TIP or not TIP (thresholds and rule: rpt.v_model_confidence_thresholds).
           SUM(CASE WHEN f.is_tip_by_operator = 0 THEN 1 ELSE 0 END) AS op_not_tip_calls,
           SUM(CASE WHEN f.is_tip_by_operator = 0 AND sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold THEN 1 ELSE 0 END) AS op_not_tip_sure_tip,
           SUM(CASE WHEN f.is_tip_by_operator = 0 AND sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold THEN 1 ELSE 0 END) AS op_not_tip_sure_not,
           SUM(CASE WHEN f.is_tip_by_operator = 1 THEN 1 ELSE 0 END) AS op_tip_calls,
           SUM(CASE WHEN f.is_tip_by_operator = 1 AND sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold THEN 1 ELSE 0 END) AS op_tip_sure_tip,
           SUM(CASE WHEN f.is_tip_by_operator = 1 AND sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold THEN 1 ELSE 0 END) AS op_tip_sure_not
    FROM dw.fact_call_score AS sc
    INNER JOIN dw.dim_model AS mo ON mo.model_key = sc.model_key AND mo.is_active = 1
    INNER JOIN dw.fact_hotline_call AS f ON f.call_key = sc.call_key
    INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
    CROSS JOIN rpt.v_model_confidence_thresholds AS th
    GROUP BY d.year_month
) AS s ON s.year_month = m.year_month
LEFT JOIN
(
    -- The prevalence estimate (the monthly report's tip_share_model): the sum of the noise-corrected posteriors of
    -- rpt.v_model_call_posterior, their Bernoulli variance, and the sums with a noise rate one SD higher.
    SELECT d.year_month,
           SUM(cp.posterior) AS tip_posterior_by_model,
           SUM(cp.posterior * (1.0 - cp.posterior)) AS tip_posterior_variance,
           SUM(cp.posterior_rate_shift) AS tip_posterior_rate_shift,
           SUM(cp.posterior_false_rate_shift) AS tip_posterior_false_rate_shift
    FROM rpt.v_model_call_posterior AS cp
    INNER JOIN dw.dim_date AS d ON d.date_key = cp.call_date_key
    GROUP BY d.year_month
) AS q ON q.year_month = m.year_month
LEFT JOIN
(
    SELECT d.year_month,
           SUM(r.report_count) AS police_reports,
           SUM(CASE WHEN r.is_tip_related = 1 THEN r.report_count ELSE 0 END) AS tip_police_reports
    FROM dw.fact_police_report AS r
    INNER JOIN dw.dim_date AS d ON d.date_key = r.report_date_key
    GROUP BY d.year_month
) AS p ON p.year_month = m.year_month
LEFT JOIN
(
    SELECT d.year_month, SUM(ar.arrest_count) AS tip_arrests
    FROM dw.fact_arrest AS ar
    INNER JOIN dw.fact_police_report AS r ON r.report_key = ar.report_key
    INNER JOIN dw.dim_date AS d ON d.date_key = ar.arrest_date_key
    WHERE r.is_tip_related = 1
    GROUP BY d.year_month
) AS a ON a.year_month = m.year_month
LEFT JOIN
(
    SELECT d.year_month,
           SUM(CASE WHEN st.stage_code = 'COMPLAINT_RECEIVED' THEN ev.event_count ELSE 0 END) AS cases_received,
           SUM(CASE WHEN st.stage_code = 'FORMALIZATION' THEN ev.event_count ELSE 0 END) AS formalizations,
           SUM(CASE WHEN st.stage_code = 'SENTENCE' THEN ev.event_count ELSE 0 END) AS sentences,
           SUM(CASE WHEN st.stage_code = 'SENTENCE' AND ev.sentence_outcome = 'CONDENA' THEN ev.event_count ELSE 0 END) AS convictions
    FROM dw.fact_case_event AS ev
    INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = ev.case_stage_key
    INNER JOIN dw.dim_date AS d ON d.date_key = ev.event_date_key
    WHERE ev.is_tip_related = 1
    GROUP BY d.year_month
) AS e ON e.year_month = m.year_month;
CREATE VIEW rpt.v_prosecution_case_series AS
SELECT
    x.case_number,
    d.year_month,
    SUM(x.sent) AS sent_to_prosecution,
    SUM(x.convictions) AS convictions,
    SUM(x.formalized_defendants) AS formalized_defendants
FROM
(
    SELECT e.case_number, MIN(e.event_date_key) AS date_key, 1 AS sent, 0 AS convictions, 0 AS formalized_defendants
    FROM dw.fact_case_event AS e
    WHERE e.event_date_key > 0
    GROUP BY e.case_number
    UNION ALL
    SELECT e.case_number, e.event_date_key, 0, e.event_count, 0
    FROM dw.fact_case_event AS e
    INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = e.case_stage_key AND st.stage_code = 'SENTENCE'
    WHERE e.sentence_outcome = 'CONDENA'
    UNION ALL
    SELECT e.case_number, e.event_date_key, 0, 0, e.defendant_count
    FROM dw.fact_case_event AS e
    INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = e.case_stage_key AND st.stage_code = 'FORMALIZATION'
) AS x
INNER JOIN dw.dim_date AS d ON d.date_key = x.date_key
GROUP BY x.case_number, d.year_month;
CREATE VIEW rpt.v_region_reference AS
SELECT 'department' AS region_level, department_name AS region_name, COUNT(*) AS districts,
       AVG(CAST(poverty_rate_pct AS DOUBLE)) AS poverty_rate_pct,
       AVG(CAST(extreme_poverty_rate_pct AS DOUBLE)) AS extreme_poverty_rate_pct
FROM dw.dim_geography
WHERE geography_key > 0
GROUP BY department_name
UNION ALL
SELECT 'directorate', pnp_directorate, COUNT(*),
       AVG(CAST(poverty_rate_pct AS DOUBLE)),
       AVG(CAST(extreme_poverty_rate_pct AS DOUBLE))
FROM dw.dim_geography
WHERE geography_key > 0
GROUP BY pnp_directorate;
CREATE VIEW rpt.v_regional_monthly AS
SELECT
    g.department_name,
    g.pnp_directorate,
    x.year_month,
    SUM(x.hotline_calls) AS hotline_calls,
    SUM(x.tip_calls) AS tip_calls,
    SUM(x.tip_reports) AS tip_reports,
    SUM(x.tip_cases) AS tip_cases,
    SUM(x.calls_scored) AS calls_scored,
    SUM(x.op_not_tip_calls) AS op_not_tip_calls,
    SUM(x.op_not_tip_sure_tip) AS op_not_tip_sure_tip,
    SUM(x.op_not_tip_sure_not) AS op_not_tip_sure_not,
    SUM(x.op_tip_calls) AS op_tip_calls,
    SUM(x.op_tip_sure_tip) AS op_tip_sure_tip,
    SUM(x.op_tip_sure_not) AS op_tip_sure_not,
    SUM(x.tip_posterior_by_model) AS tip_posterior_by_model,
    SUM(x.tip_posterior_variance) AS tip_posterior_variance,
    SUM(x.tip_posterior_rate_shift) AS tip_posterior_rate_shift,
    SUM(x.tip_posterior_false_rate_shift) AS tip_posterior_false_rate_shift
FROM
(
    SELECT f.geography_key, d.year_month,
           f.call_count AS hotline_calls,
           CASE WHEN f.is_tip_by_operator = 1 THEN f.call_count ELSE 0 END AS tip_calls,
           0 AS tip_reports,
           0 AS tip_cases,
           0 AS calls_scored,
           0 AS op_not_tip_calls,
           0 AS op_not_tip_sure_tip,
           0 AS op_not_tip_sure_not,
           0 AS op_tip_calls,
           0 AS op_tip_sure_tip,
           0 AS op_tip_sure_not,
           0.0 AS tip_posterior_by_model,
           0.0 AS tip_posterior_variance,
           0.0 AS tip_posterior_rate_shift,
           0.0 AS tip_posterior_false_rate_shift
    FROM dw.fact_hotline_call AS f
    INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
    UNION ALL
    SELECT f.geography_key, d.year_month, 0, 0, 0, 0, 1,
           CASE WHEN f.is_tip_by_operator = 0 THEN 1 ELSE 0 END,
           CASE WHEN f.is_tip_by_operator = 0 AND sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold THEN 1 ELSE 0 END,
           CASE WHEN f.is_tip_by_operator = 0 AND sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold THEN 1 ELSE 0 END,
           CASE WHEN f.is_tip_by_operator = 1 THEN 1 ELSE 0 END,
           CASE WHEN f.is_tip_by_operator = 1 AND sc.probability >= th.tip_threshold AND 1.0 - sc.probability < th.not_tip_threshold THEN 1 ELSE 0 END,
           CASE WHEN f.is_tip_by_operator = 1 AND sc.probability < th.tip_threshold AND 1.0 - sc.probability >= th.not_tip_threshold THEN 1 ELSE 0 END,
           0.0, 0.0, 0.0, 0.0
    FROM dw.fact_call_score AS sc
    INNER JOIN dw.dim_model AS mo ON mo.model_key = sc.model_key AND mo.is_active = 1
    INNER JOIN dw.fact_hotline_call AS f ON f.call_key = sc.call_key
    INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
    CROSS JOIN rpt.v_model_confidence_thresholds AS th
    UNION ALL
    SELECT cp.geography_key, d.year_month, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           cp.posterior, cp.posterior * (1.0 - cp.posterior), cp.posterior_rate_shift, cp.posterior_false_rate_shift
    FROM rpt.v_model_call_posterior AS cp
    INNER JOIN dw.dim_date AS d ON d.date_key = cp.call_date_key
    UNION ALL
    SELECT r.geography_key, d.year_month, 0, 0, r.report_count, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0
    FROM dw.fact_police_report AS r
    INNER JOIN dw.dim_date AS d ON d.date_key = r.report_date_key
    WHERE r.is_tip_related = 1
    UNION ALL
    SELECT ev.geography_key, d.year_month, 0, 0, 0, ev.event_count, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0
    FROM dw.fact_case_event AS ev
    INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = ev.case_stage_key
    INNER JOIN dw.dim_date AS d ON d.date_key = ev.event_date_key
    WHERE st.stage_code = 'COMPLAINT_RECEIVED' AND ev.is_tip_related = 1
) AS x
INNER JOIN dw.dim_geography AS g ON g.geography_key = x.geography_key
GROUP BY g.department_name, g.pnp_directorate, x.year_month;
CREATE VIEW rpt.v_station_training AS
SELECT
    directorate,
    station_id,
    tip_training_date AS training_date
FROM dw.dim_police_unit
WHERE is_current = 1 AND police_unit_key > 0;
CREATE VIEW rpt.v_tip_call_referrals AS
SELECT
    f.call_id,
    d.year_month,
    CASE WHEN f.referred_police_unit_key > 0 THEN pu.directorate ELSE g.pnp_directorate END AS directorate,
    CASE WHEN f.referred_police_unit_key > 0 THEN 1 ELSE 0 END AS is_referred,
    CAST(f.hours_to_referral AS DOUBLE) AS hours_to_referral,
    CASE WHEN r.source_call_id IS NULL THEN 0 ELSE 1 END AS became_report,
    f.call_count
FROM dw.fact_hotline_call AS f
INNER JOIN dw.dim_date AS d ON d.date_key = f.call_date_key
INNER JOIN dw.dim_geography AS g ON g.geography_key = f.geography_key
LEFT JOIN dw.dim_police_unit AS pu ON pu.police_unit_key = f.referred_police_unit_key
LEFT JOIN
(
    SELECT source_call_id
    FROM dw.fact_police_report
    WHERE source_call_id IS NOT NULL
    GROUP BY source_call_id
) AS r ON r.source_call_id = f.call_id
WHERE f.is_tip_by_operator = 1;
CREATE VIEW rpt.v_tip_monthly AS
SELECT
    m.year_month,
    COALESCE(s.tip_cases, 0) AS tip_cases_sent_to_prosecution,
    COALESCE(o.tip_cases, 0) AS tip_cases_in_process,
    COALESCE(s.persons, 0) AS persons_charged_pimping,
    COALESCE(s.convictions, 0) AS tip_convictions
FROM
(
    SELECT year_month, MAX(date_key) AS month_end_key
    FROM dw.dim_date
    WHERE date_key > 0
    GROUP BY year_month
) AS m
LEFT JOIN
(
    SELECT c.year_month,
           CAST(SUM(CASE WHEN t.is_tip = 1 THEN c.sent_to_prosecution ELSE 0 END) AS BIGINT) AS tip_cases,
           SUM(CASE WHEN t.is_tip = 1 THEN c.convictions ELSE 0 END) AS convictions,
           SUM(CASE WHEN t.related_series = 'pimping' THEN c.formalized_defendants ELSE 0 END) AS persons
    FROM rpt.v_prosecution_case_series AS c
    INNER JOIN dw.tip_determination AS t ON t.record_type = 'prosecution_case' AND t.record_id = c.case_number
    GROUP BY c.year_month
) AS s ON s.year_month = m.year_month
LEFT JOIN
(
    SELECT mm.year_month, COUNT(*) AS tip_cases
    FROM
    (
        SELECT year_month, MAX(date_key) AS month_end_key
        FROM dw.dim_date
        WHERE date_key > 0
        GROUP BY year_month
    ) AS mm
    INNER JOIN
    (
        SELECT e.case_number,
               MIN(e.event_date_key) AS first_key,
               MIN(CASE WHEN st.stage_code IN ('SENTENCE', 'ARCHIVED') THEN e.event_date_key END) AS closed_key
        FROM dw.fact_case_event AS e
        INNER JOIN dw.dim_case_stage AS st ON st.case_stage_key = e.case_stage_key
        INNER JOIN dw.tip_determination AS t ON t.record_type = 'prosecution_case' AND t.record_id = e.case_number AND t.is_tip = 1
        WHERE e.event_date_key > 0
        GROUP BY e.case_number
    ) AS k ON k.first_key <= mm.month_end_key AND (k.closed_key IS NULL OR k.closed_key > mm.month_end_key)
    GROUP BY mm.year_month
) AS o ON o.year_month = m.year_month;
