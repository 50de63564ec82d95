public import ApexWebhooks

extension ServerConfiguration {
    /// Seals webhook signing secrets at rest, with a key derived from ``jwtSecret`` (the secret
    /// every instance on one store shares).
    public var webhookSecrets: WebhookSecretBox { WebhookSecretBox(deriving: jwtSecret) }
}
