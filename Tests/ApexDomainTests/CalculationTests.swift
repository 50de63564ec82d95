import PropertyBased
import Testing

@testable import ApexDomain

// MARK: - Fixtures

private let windBase: [String: JSONValue] = ["V": 115, "exposure": "C", "z": 15]
private let signBase: [String: JSONValue] = ["V": 115, "exposure": "C", "h": 20, "As": 48, "Cf": 1.8]
private let poleBase: [String: JSONValue] = ["F": 2000, "y": 15, "Fb": 30]

/// `inputs` with `key` set to `value`, or removed when `value` is `nil`.
private func with(_ inputs: [String: JSONValue], _ key: String, _ value: JSONValue?) -> [String: JSONValue] {
    var copy = inputs
    copy[key] = value
    return copy
}

/// The number output `key` of `result` (NaN when absent, so comparisons fail loudly).
private func out(_ result: CalculationResult, _ key: String) -> Double {
    result.outputs[key]?.numberValue ?? .nan
}

/// `qz` for the given wind speed, exposure and height, all other inputs at their defaults.
private func qz(v: Double, exposure: Exposure, z: Double) throws -> Double {
    let result = try CalculationEngine.run(
        .windVelocityPressure, inputs: ["V": .number(v), "exposure": .string(exposure.rawValue), "z": .number(z)])
    return out(result, "qz")
}

// MARK: - Hand-worked values

@Suite struct CalculationHandValueTests {
    // Common factor for V = 115 mph with Kzt = 1, Kd = 0.85, Ke = 1:
    //   0.00256 · 115² = 0.00256 · 13225 = 33.856;  · 0.85 = 28.7776 psf per unit Kz.

    /// Exposure C, z = 15 ft:
    ///   15/900 = 0.016667; ln = -4.09434; · 2/9.5 (0.210526) = -0.86197; e^ = 0.42233; · 2.01 = Kz 0.84888
    ///   qz = 28.7776 · 0.84888 = 24.43 psf.   (ASCE 7-16 Table 26.10-1: 0.85.)
    @Test func exposureCAt15Feet() throws {
        let result = try CalculationEngine.run(.windVelocityPressure, inputs: windBase)
        #expect(abs(out(result, "Kz") - 0.849) < 0.0005)
        #expect(abs(out(result, "qz") - 24.4) < 0.05)
        #expect(abs(out(result, "qz") - 24.4288) < 0.0005)
    }

    /// Exposure B, z = 30 ft:
    ///   30/1200 = 0.025; ln = -3.68888; · 2/7 (0.285714) = -1.05397; e^ = 0.34855; · 2.01 = Kz 0.70059
    ///   qz = 28.7776 · 0.70059 = 20.161 psf.   (Table 26.10-1: 0.70.)
    @Test func exposureBAt30Feet() throws {
        let result = try CalculationEngine.run(
            .windVelocityPressure, inputs: ["V": 115, "exposure": "B", "z": 30])
        #expect(abs(out(result, "Kz") - 0.7006) < 0.0005)
        #expect(abs(out(result, "qz") - 20.161) < 0.005)
    }

    /// Exposure D, z = 60 ft:
    ///   60/700 = 0.085714; ln = -2.45674; · 2/11.5 (0.173913) = -0.42726; e^ = 0.65230; · 2.01 = Kz 1.31113
    ///   qz = 28.7776 · 1.31113 = 37.731 psf.   (Table 26.10-1: 1.31.)
    @Test func exposureDAt60Feet() throws {
        let result = try CalculationEngine.run(
            .windVelocityPressure, inputs: ["V": 115, "exposure": "D", "z": 60])
        #expect(abs(out(result, "Kz") - 1.3111) < 0.0005)
        #expect(abs(out(result, "qz") - 37.731) < 0.005)
    }

    /// Non-default factors multiply straight through: Kzt 1.2, Kd 0.9, Ke 0.95 at exposure C, 15 ft:
    ///   qz = 0.00256 · 0.84888 · 1.2 · 0.9 · 0.95 · 13225 = 33.856 · 0.84888 · 1.026 = 29.487 psf.
    @Test func explicitFactors() throws {
        let result = try CalculationEngine.run(
            .windVelocityPressure, inputs: windBase.merging(["Kzt": 1.2, "Kd": 0.9, "Ke": 0.95]) { $1 })
        #expect(abs(out(result, "qz") - 29.487) < 0.005)
    }

    /// Below 15 ft the formula uses 15 ft: z = 5 ft gives the same Kz and qz as z = 15 ft.
    @Test func heightBelow15FeetIsClamped() throws {
        let low = try CalculationEngine.run(.windVelocityPressure, inputs: with(windBase, "z", 5))
        let at15 = try CalculationEngine.run(.windVelocityPressure, inputs: windBase)
        #expect(low.outputs == at15.outputs)
        #expect(low.resultHash != at15.resultHash)  // the inputs differ, so the record does
    }

    /// 8 ft × 6 ft sign (As = 48 ft²), top at h = 20 ft, exposure C, V = 115 mph, Cf = 1.8, G = 0.85:
    ///   20/900 = 0.022222; ln = -3.80666; · 0.210526 = -0.80140; e^ = 0.44869; · 2.01 = Kz 0.90187
    ///   qh = 28.7776 · 0.90187 = 25.954 psf
    ///   F  = 25.954 · 0.85 · 1.8 · 48 = 25.954 · 73.44 = 1906.1 lb
    @Test func signWindForce() throws {
        let result = try CalculationEngine.run(.signWindForce, inputs: signBase)
        #expect(abs(out(result, "Kz") - 0.9019) < 0.0005)
        #expect(abs(out(result, "qh") - 25.954) < 0.005)
        #expect(abs(out(result, "F") - 1906.1) < 0.1)
        #expect(Set(result.outputs.keys) == ["Kz", "qh", "F"])
    }

    /// The sign's qh is exactly wind_velocity_pressure's qz at z = h.
    @Test func signPressureMatchesVelocityPressure() throws {
        let sign = try CalculationEngine.run(.signWindForce, inputs: with(signBase, "h", 37.5))
        let wind = try CalculationEngine.run(.windVelocityPressure, inputs: with(windBase, "z", 37.5))
        #expect(sign.outputs["qh"] == wind.outputs["qz"])
        #expect(sign.outputs["Kz"] == wind.outputs["Kz"])
    }

    /// F = 2000 lb at y = 15 ft, Fb = 30 ksi:
    ///   M = 2000 · 15 = 30000 lb·ft;  S = 30000 · 12 / (30 · 1000) = 360000 / 30000 = 12 in³.
    /// F = 1906.07 lb (the sign above) at y = 16 ft, Fb = 24 ksi:
    ///   M = 1906.07 · 16 = 30497.12 lb·ft;  S = 30497.12 · 12 / 24000 = 365965.44 / 24000 = 15.2486 in³.
    @Test func poleBaseMoment() throws {
        let result = try CalculationEngine.run(.poleBaseMoment, inputs: poleBase)
        #expect(result.outputs == ["M": 30000, "S": 12])
        let sign = try CalculationEngine.run(
            .poleBaseMoment, inputs: ["F": 1906.07, "y": 16, "Fb": 24])
        #expect(abs(out(sign, "M") - 30497.12) < 1e-6)
        #expect(abs(out(sign, "S") - 15.2486) < 1e-4)
    }

    /// Outputs keep full `Double` precision: Kz prints with all its digits, not as 0.849.
    @Test func outputsAreNotRounded() throws {
        let result = try CalculationEngine.run(.windVelocityPressure, inputs: windBase)
        let kz = out(result, "Kz")
        #expect(kz == WindPressure.kz(z: 15, exposure: .c))
        #expect(CanonicalJSON.number(kz).count >= 15)
    }
}

// MARK: - Validation

/// One input set the engine must refuse, and the field it must name.
struct InvalidInputCase: Sendable, CustomTestStringConvertible {
    let type: CalculationType
    let inputs: [String: JSONValue]
    let field: String
    let label: String

    var testDescription: String { "\(type.rawValue): \(label)" }

    static let all: [InvalidInputCase] = [
        // wind_velocity_pressure
        .init(type: .windVelocityPressure, inputs: with(windBase, "V", nil), field: "inputs.V", label: "V missing"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "V", .null), field: "inputs.V", label: "V null"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "exposure", nil), field: "inputs.exposure", label: "exposure missing"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "z", nil), field: "inputs.z", label: "z missing"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "V", "115"), field: "inputs.V", label: "V as string"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "V", true), field: "inputs.V", label: "V as bool"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "z", [15]), field: "inputs.z", label: "z as array"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "Kzt", "1.0"), field: "inputs.Kzt", label: "Kzt as string"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "exposure", 3), field: "inputs.exposure", label: "exposure as number"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "exposure", .null), field: "inputs.exposure", label: "exposure null"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "exposure", "E"), field: "inputs.exposure", label: "exposure E"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "exposure", "c"), field: "inputs.exposure", label: "exposure lower-case"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "V", .number(.nan)), field: "inputs.V", label: "V NaN"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "V", .number(.infinity)), field: "inputs.V", label: "V infinite"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "z", .number(-.infinity)), field: "inputs.z", label: "z -infinite"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "Ke", .number(.nan)), field: "inputs.Ke", label: "Ke NaN"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "V", 59.9), field: "inputs.V", label: "V below 60"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "V", 300.1), field: "inputs.V", label: "V above 300"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "z", 0), field: "inputs.z", label: "z zero"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "z", -5), field: "inputs.z", label: "z negative"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "z", 900.5), field: "inputs.z", label: "z above zg (C)"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "Kzt", 0), field: "inputs.Kzt", label: "Kzt zero"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "Kzt", 5.01), field: "inputs.Kzt", label: "Kzt above 5"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "Kd", -0.85), field: "inputs.Kd", label: "Kd negative"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "Ke", 6), field: "inputs.Ke", label: "Ke above 5"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "Vult", 115), field: "inputs.Vult", label: "unknown Vult"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "h", 15), field: "inputs.h", label: "unknown h (a sign input)"),
        .init(type: .windVelocityPressure, inputs: with(windBase, "G", 0.85), field: "inputs.G", label: "unknown G"),
        // sign_wind_force
        .init(type: .signWindForce, inputs: with(signBase, "h", nil), field: "inputs.h", label: "h missing"),
        .init(type: .signWindForce, inputs: with(signBase, "As", nil), field: "inputs.As", label: "As missing"),
        .init(type: .signWindForce, inputs: with(signBase, "Cf", nil), field: "inputs.Cf", label: "Cf missing"),
        .init(type: .signWindForce, inputs: with(signBase, "V", nil), field: "inputs.V", label: "V missing"),
        .init(type: .signWindForce, inputs: with(signBase, "As", "48"), field: "inputs.As", label: "As as string"),
        .init(type: .signWindForce, inputs: with(signBase, "Cf", .number(.infinity)), field: "inputs.Cf", label: "Cf infinite"),
        .init(type: .signWindForce, inputs: with(signBase, "h", 0), field: "inputs.h", label: "h zero"),
        .init(type: .signWindForce, inputs: with(with(signBase, "exposure", "D"), "h", 701), field: "inputs.h", label: "h above zg (D)"),
        .init(type: .signWindForce, inputs: with(signBase, "As", 0), field: "inputs.As", label: "As zero"),
        .init(type: .signWindForce, inputs: with(signBase, "As", 10_001), field: "inputs.As", label: "As above 10000"),
        .init(type: .signWindForce, inputs: with(signBase, "Cf", 0), field: "inputs.Cf", label: "Cf zero"),
        .init(type: .signWindForce, inputs: with(signBase, "Cf", 5.5), field: "inputs.Cf", label: "Cf above 5"),
        .init(type: .signWindForce, inputs: with(signBase, "G", 0), field: "inputs.G", label: "G zero"),
        .init(type: .signWindForce, inputs: with(signBase, "G", 6), field: "inputs.G", label: "G above 5"),
        .init(type: .signWindForce, inputs: with(signBase, "Kd", 0), field: "inputs.Kd", label: "Kd zero"),
        .init(type: .signWindForce, inputs: with(signBase, "z", 20), field: "inputs.z", label: "unknown z (use h)"),
        // pole_base_moment
        .init(type: .poleBaseMoment, inputs: with(poleBase, "F", nil), field: "inputs.F", label: "F missing"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "y", nil), field: "inputs.y", label: "y missing"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "Fb", nil), field: "inputs.Fb", label: "Fb missing"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "F", "2000"), field: "inputs.F", label: "F as string"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "y", ["ft": 15]), field: "inputs.y", label: "y as object"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "Fb", .number(.nan)), field: "inputs.Fb", label: "Fb NaN"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "F", -1), field: "inputs.F", label: "F negative"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "F", 10_000_001), field: "inputs.F", label: "F above 10000 kips"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "y", 0), field: "inputs.y", label: "y zero"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "y", 1001), field: "inputs.y", label: "y above 1000"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "Fb", 0), field: "inputs.Fb", label: "Fb zero"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "Fb", 101), field: "inputs.Fb", label: "Fb above 100"),
        .init(type: .poleBaseMoment, inputs: with(poleBase, "M", 30000), field: "inputs.M", label: "unknown M (an output)"),
    ]
}

/// Runs `type` on `inputs` and returns the error it must throw, or records an issue.
private func refusal(
    _ type: CalculationType, _ inputs: [String: JSONValue], sourceLocation: SourceLocation = #_sourceLocation
) -> DomainError? {
    do {
        let result = try CalculationEngine.run(type, inputs: inputs)
        Issue.record("accepted invalid inputs, outputs \(result.outputs)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

@Suite struct CalculationValidationTests {
    @Test(arguments: InvalidInputCase.all)
    func refusesWithField(_ testCase: InvalidInputCase) throws {
        let error = try #require(refusal(testCase.type, testCase.inputs))
        #expect(error.code == .invalidInput)
        #expect(error.field == testCase.field)
        #expect(!error.message.isEmpty)
    }

    @Test func messagesSayWhatIsAllowed() throws {
        let low = try #require(refusal(.windVelocityPressure, with(windBase, "V", 45)))
        #expect(low.message == "Input 'V' (basic wind speed) must be from 60 to 300 mph; got 45.")

        let missing = try #require(refusal(.windVelocityPressure, with(windBase, "z", nil)))
        #expect(missing.message == "Missing input 'z' (height above ground): give a number greater than 0 and at most 900 ft.")

        let type = try #require(refusal(.poleBaseMoment, with(poleBase, "F", "2000")))
        #expect(type.message.contains("must be a number from 0 to 10000000 lb, not a string"))

        let high = try #require(refusal(.windVelocityPressure, with(windBase, "z", 1000)))
        #expect(high.message.contains("at most 900 ft"))
        #expect(high.message.contains("gradient height zg of exposure C"))

        let area = try #require(refusal(.signWindForce, with(signBase, "As", 0)))
        #expect(area.message.contains("greater than 0 and at most 10000 ft²; got 0"))

        let nan = try #require(refusal(.poleBaseMoment, with(poleBase, "Fb", .number(.nan))))
        #expect(nan.message.contains("finite number"))
    }

    @Test func suggestsTheIntendedName() throws {
        let caseTypo = try #require(refusal(.windVelocityPressure, with(windBase, "kzt", 1)))
        #expect(caseTypo.field == "inputs.kzt")
        #expect(caseTypo.message.contains("Did you mean 'Kzt'?"))
        #expect(caseTypo.message.contains("Its inputs are: V, exposure, z, Kzt, Kd, Ke."))

        let spelling = try #require(refusal(.signWindForce, with(signBase, "expsure", "C")))
        #expect(spelling.message.contains("Did you mean 'exposure'?"))

        let exposure = try #require(refusal(.windVelocityPressure, with(windBase, "exposure", "d")))
        #expect(exposure.message.contains("Did you mean \"D\"?"))

        let unrelated = try #require(refusal(.poleBaseMoment, with(poleBase, "weight", 3)))
        #expect(!unrelated.message.contains("Did you mean"))
    }

    /// Several unknown names: the first in sorted order is reported, every time.
    @Test func unknownNamesReportedInStableOrder() throws {
        let inputs = windBase.merging(["zz": 1, "aa": 2, "mm": 3]) { $1 }
        for _ in 0..<5 {
            #expect(refusal(.windVelocityPressure, inputs)?.field == "inputs.aa")
        }
    }

    @Test func boundariesAreAccepted() throws {
        _ = try CalculationEngine.run(.windVelocityPressure, inputs: with(windBase, "V", 60))
        _ = try CalculationEngine.run(.windVelocityPressure, inputs: with(windBase, "V", 300))
        _ = try CalculationEngine.run(.windVelocityPressure, inputs: with(windBase, "z", 900))
        _ = try CalculationEngine.run(.windVelocityPressure, inputs: ["V": 115, "exposure": "B", "z": 1200])
        _ = try CalculationEngine.run(.windVelocityPressure, inputs: with(windBase, "z", 0.5))
        _ = try CalculationEngine.run(.windVelocityPressure, inputs: with(windBase, "Kzt", 5))
        _ = try CalculationEngine.run(.signWindForce, inputs: with(signBase, "As", 10_000))
        _ = try CalculationEngine.run(.signWindForce, inputs: with(signBase, "Cf", 5))
        _ = try CalculationEngine.run(.poleBaseMoment, inputs: with(poleBase, "Fb", 100))
        let zero = try CalculationEngine.run(.poleBaseMoment, inputs: with(poleBase, "F", 0))
        #expect(zero.outputs == ["M": 0, "S": 0])
    }
}

// MARK: - Normalization, determinism and hashes

@Suite struct CalculationDeterminismTests {
    @Test func defaultsAreFilledIn() throws {
        let wind = try CalculationEngine.run(.windVelocityPressure, inputs: windBase)
        #expect(wind.inputs == ["V": 115, "exposure": "C", "z": 15, "Kzt": 1, "Kd": 0.85, "Ke": 1])
        let sign = try CalculationEngine.run(.signWindForce, inputs: signBase)
        #expect(sign.inputs == signBase.merging(["G": 0.85, "Kzt": 1, "Kd": 0.85, "Ke": 1]) { $1 })
        let pole = try CalculationEngine.run(.poleBaseMoment, inputs: poleBase)
        #expect(pole.inputs == poleBase)
        #expect(wind.engineVersion == "1.0.0")
        #expect(CalculationEngine.version == "1.0.0")
    }

    /// Omitting an optional input, sending it as `null`, or sending its default is the same calculation.
    @Test func defaultsGiveTheSameHashHoweverSpelled() throws {
        let omitted = try CalculationEngine.run(.windVelocityPressure, inputs: windBase)
        let explicit = try CalculationEngine.run(
            .windVelocityPressure, inputs: windBase.merging(["Kzt": 1.0, "Kd": 0.85, "Ke": 1.0]) { $1 })
        let nulls = try CalculationEngine.run(
            .windVelocityPressure, inputs: windBase.merging(["Kzt": nil, "Kd": nil, "Ke": nil]) { $1 })
        #expect(omitted == explicit)
        #expect(omitted == nulls)
    }

    @Test func negativeZeroIsNormalized() throws {
        let negative = try CalculationEngine.run(.poleBaseMoment, inputs: with(poleBase, "F", .number(-0.0)))
        let positive = try CalculationEngine.run(.poleBaseMoment, inputs: with(poleBase, "F", 0))
        #expect(negative.resultHash == positive.resultHash)
    }

    @Test(arguments: [
        (CalculationType.windVelocityPressure, windBase),
        (CalculationType.signWindForce, signBase),
        (CalculationType.poleBaseMoment, poleBase),
    ])
    func sameInputsSameResult(_ type: CalculationType, _ inputs: [String: JSONValue]) throws {
        let first = try CalculationEngine.run(type, inputs: inputs)
        for _ in 0..<10 {
            #expect(try CalculationEngine.run(type, inputs: inputs) == first)
        }
        #expect(first.resultHash.count == 64)
        #expect(first.resultHash.allSatisfy { "0123456789abcdef".contains($0) })
    }

    /// Changing any single input, even by one unit in the last place, changes the hash.
    @Test(arguments: [
        (CalculationType.windVelocityPressure, windBase),
        (CalculationType.signWindForce, signBase),
        (CalculationType.poleBaseMoment, poleBase),
    ])
    func anyChangedInputChangesTheHash(_ type: CalculationType, _ inputs: [String: JSONValue]) throws {
        let base = try CalculationEngine.run(type, inputs: inputs)
        var seen: Set<String> = [base.resultHash]
        for (name, value) in base.inputs {
            let changed: [JSONValue]
            switch value {
            case .number(let n): changed = [.number(n.nextUp), .number(n * 1.01)]
            case .string: changed = [.string(Exposure.b.rawValue), .string(Exposure.d.rawValue)]
            default: changed = []
            }
            for newValue in changed {
                let result = try CalculationEngine.run(type, inputs: with(base.inputs, name, newValue))
                #expect(!seen.contains(result.resultHash), "changing \(name) to \(newValue) kept a seen hash")
                seen.insert(result.resultHash)
            }
        }
    }

    @Test func recomputedHashMatchesAndDetectsTampering() throws {
        let cases: [(CalculationType, [String: JSONValue])] = [
            (.windVelocityPressure, windBase), (.signWindForce, signBase), (.poleBaseMoment, poleBase),
        ]
        for (type, inputs) in cases {
            let result = try CalculationEngine.run(type, inputs: inputs)
            #expect(result.recomputedHash() == result.resultHash)

            var outputs = result
            outputs.outputs["M", default: 1] = .number(1e9)
            #expect(outputs.recomputedHash() != result.resultHash)

            var version = result
            version.engineVersion = "1.0.1"
            #expect(version.recomputedHash() != result.resultHash)

            var inputsChanged = result
            inputsChanged.inputs["note"] = "x"
            #expect(inputsChanged.recomputedHash() != result.resultHash)
        }
    }

    /// Pins the canonical encoding and hash of engine 1.0.0 (no `pow`, so exact on every platform).
    /// `printf '%s' '<canonical>' | sha256sum` gives the same digest.
    @Test func goldenHash() throws {
        let result = try CalculationEngine.run(.poleBaseMoment, inputs: poleBase)
        #expect(
            CanonicalJSON.string(result.hashedContent)
                == #"{"engine_version":"1.0.0","inputs":{"F":2000,"Fb":30,"y":15},"outputs":{"M":30000,"S":12},"type":"pole_base_moment"}"#)
        #expect(result.resultHash == "835ec415b1756939d5ad40623ddfb6f118323ddb2983778120b6ecfc81031514")
    }

    @Test func codableRoundTripUsesSnakeCase() throws {
        let result = try CalculationEngine.run(.signWindForce, inputs: signBase)
        let json = try CanonicalJSON.value(of: result)
        let keys = Set(json.objectValue?.keys.map { $0 } ?? [])
        #expect(keys == ["type", "inputs", "outputs", "engine_version", "result_hash"])
        #expect(json["type"] == "sign_wind_force")
        #expect(json["engine_version"] == "1.0.0")
        #expect(json["result_hash"] == .string(result.resultHash))
        let decoded = try CanonicalJSON.decode(CalculationResult.self, from: json)
        #expect(decoded == result)
        #expect(decoded.recomputedHash() == decoded.resultHash)
    }

    @Test func typeRawValues() {
        #expect(CalculationType.allCases.map(\.rawValue) == ["wind_velocity_pressure", "sign_wind_force", "pole_base_moment"])
        #expect(Exposure.allCases.map { [$0.alpha, $0.zg] } == [[7.0, 1200], [9.5, 900], [11.5, 700]])
    }
}

// MARK: - Properties

@Suite struct CalculationPropertyTests {
    @Test func qzIncreasesWithWindSpeed() async {
        await propertyCheck(input: Gen.double(in: 60...300), Gen.double(in: 60...300), Gen.double(in: 0.1...700)) { a, b, z in
            let (lo, hi) = (min(a, b), max(a, b))
            for exposure in Exposure.allCases {
                let qLo = try qz(v: lo, exposure: exposure, z: z)
                let qHi = try qz(v: hi, exposure: exposure, z: z)
                if hi - lo > 1e-9 { #expect(qLo < qHi, "V \(lo) -> \(hi), exposure \(exposure), z \(z)") }
                else { #expect(qLo <= qHi) }
            }
        }
    }

    @Test func qzIncreasesWithHeightFrom15Feet() async {
        await propertyCheck(input: Gen.double(in: 15...700), Gen.double(in: 15...700), Gen.double(in: 60...300)) { a, b, v in
            let (lo, hi) = (min(a, b), max(a, b))
            for exposure in Exposure.allCases {
                let qLo = try qz(v: v, exposure: exposure, z: lo)
                let qHi = try qz(v: v, exposure: exposure, z: hi)
                if hi - lo > 1e-9 { #expect(qLo < qHi, "z \(lo) -> \(hi), exposure \(exposure), V \(v)") }
                else { #expect(qLo <= qHi) }
            }
        }
    }

    @Test func qzIsConstantBelow15Feet() async {
        await propertyCheck(input: Gen.double(in: 0.001...15), Gen.double(in: 60...300)) { z, v in
            for exposure in Exposure.allCases {
                let below = try qz(v: v, exposure: exposure, z: z)
                #expect(try below == qz(v: v, exposure: exposure, z: 15))
            }
        }
    }

    /// Every result of random valid sign inputs is finite, hash-consistent, and F = qh·G·Cf·As.
    @Test func signResultsAreConsistent() async {
        await propertyCheck(
            input: Gen.double(in: 60...300), Gen.double(in: 0.5...700), Gen.double(in: 0.1...10_000),
            Gen.double(in: 0.1...5)
        ) { v, h, area, cf in
            let inputs: [String: JSONValue] = [
                "V": .number(v), "exposure": "D", "h": .number(h), "As": .number(area), "Cf": .number(cf),
            ]
            let result = try CalculationEngine.run(.signWindForce, inputs: inputs)
            #expect(result.recomputedHash() == result.resultHash)
            #expect(out(result, "F").isFinite)
            #expect(out(result, "F") == out(result, "qh") * 0.85 * cf * area)
        }
    }
}
