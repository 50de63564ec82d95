import ApexStore

/// A value of the webhook tables (``FeatureSQLValue``).
typealias SQLValue = FeatureSQLValue
/// One row, by column name.
typealias SQLRow = FeatureSQLRow
/// The webhook feature's statements run through the store's shared runner (``FeatureSQL``).
typealias WebhookSQL = FeatureSQL
