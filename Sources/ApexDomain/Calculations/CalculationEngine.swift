/// Runs calculations: validates the inputs, computes the outputs, and seals them in a
/// ``CalculationResult`` with its hash.
///
/// Every calculation is a pure function: the same type and inputs give the same result, down to
/// the last bit of every output and so the same ``CalculationResult/resultHash``, for as long as
/// ``version`` stays the same.
///
/// ```swift
/// let result = try CalculationEngine.run(.windVelocityPressure, inputs: ["V": 115, "exposure": "C", "z": 15])
/// result.outputs["qz"]   // .number(24.43…) psf
/// result.inputs["Kd"]    // .number(0.85), the default filled in
/// ```
public enum CalculationEngine {
    /// The engine version recorded in every result as `engine_version`.
    ///
    /// Bump it whenever any output could change for the same inputs.
    public static let version = "1.0.0"

    /// Runs the calculation `type` on `inputs`.
    ///
    /// Inputs are JSON values: numbers as `.number`, the exposure category as `.string`. An optional
    /// input given as `null` takes its default.
    ///
    /// - Throws: `DomainError` with code `.invalidInput` and `field` `inputs.<name>` when an input is
    ///   missing, of the wrong JSON type, not finite, out of range, or not an input of `type` at all;
    ///   with `field` `inputs` when the inputs together give an output that is not finite (the
    ///   message names them); `.invalidText` when a text input holds a control character.
    ///   The message says what is allowed. Nothing else is thrown.
    public static func run(
        _ type: CalculationType, inputs: [String: JSONValue]
    ) throws(DomainError) -> CalculationResult {
        let computed: (inputs: [String: JSONValue], outputs: [String: JSONValue])
        switch type {
        case .windVelocityPressure: computed = try windVelocityPressure(inputs)
        case .signWindForce: computed = try signWindForce(inputs)
        case .poleBaseMoment: computed = try poleBaseMoment(inputs)
        }
        // Inputs each in range can still combine into an output a Double cannot hold (a force
        // over a subnormal stress): that is an input error, never a result stored as null.
        for name in computed.outputs.keys.sorted() {
            guard case .number(let value) = computed.outputs[name], !value.isFinite else { continue }
            let given = computed.inputs.keys.sorted().map { "\($0)=\(computed.inputs[$0].map(describe) ?? "?")" }
            throw DomainError(
                .invalidInput,
                "These inputs give \(name) = \(value) (not a finite number) for \(type.rawValue); check the inputs: \(given.joined(separator: ", ")).",
                field: "inputs")
        }
        return CalculationResult(
            type: type, inputs: computed.inputs, outputs: computed.outputs, engineVersion: version)
    }

    /// An input as the message shows it.
    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .number(let n): CanonicalJSON.number(n)
        case .string(let text): "\"\(text)\""
        default: "\(value)"
        }
    }
}
