extension AccessPolicy {
    /// Decides whether `principal` may do `action` on `resource`. Pure: no clock, no I/O.
    ///
    /// The rules, in order; the first that denies wins, and anything no rule allows is denied:
    /// 1. Another account's resource: denied, concealed (answer 404).
    /// 2. The permission must apply to the kind of resource (`user.remove` to a user, …).
    /// 2a. Anyone may see what Apex holds about themselves (`user.view` on their own user: GDPR
    ///     Art. 15/20 access and portability), whatever their role.
    /// 3. A project the role may not see (its `project.view` grant is not met): denied, concealed,
    ///    whatever the permission.
    /// 4. The role ``matrix``, with its conditions (*approved only*, *own only*, *PE license*: valid,
    ///    and confirmed by an owner or admin other than the licensee).
    /// 5. Users: only an owner may make, unmake or remove an owner; the last owner stays; no one
    ///    confirms their own PE license.
    /// 6. Projects: archiving, restoring and reopening an approved project need owner or admin;
    ///    an archived project is read-only.
    public static func decide(
        _ principal: Principal,
        _ action: Permission,
        _ resource: Resource,
        _ context: AccessContext
    ) -> Decision {
        let role = principal.role.rawValue
        guard principal.accountID == resource.accountID else {
            return deny(.crossAccount, "the \(resource.kindName) belongs to another account", concealed: true)
        }
        guard applies(action, to: resource) else {
            return deny(.noRule, "no rule for \(action.rawValue) on a \(resource.kindName)")
        }
        if action == .userView, case .user(let user) = resource, user.userID == principal.userID {
            return .allowed(rule: "anyone may see what is held about themselves")
        }
        if case .project(let project) = resource, project.projectID != nil,
            let unseen = unmet(matrix[principal.role]?[.projectView], principal, project)
        {
            return deny(.notVisible, "\(role) may not see this project: \(unseen)", concealed: true)
        }
        guard let grant = matrix[principal.role]?[action] else {
            return deny(.roleForbids, "\(role) may not \(action.rawValue)")
        }
        var rule = "\(role) may \(action.rawValue)"
        switch grant {
        case .always:
            break
        case .approvedOnly, .ownOnly:
            guard case .project(let project) = resource else {
                return deny(.noRule, "no rule for \(action.rawValue) on a \(resource.kindName)")
            }
            if let reason = unmet(grant, principal, project) {
                return deny(.notVisible, "\(role) may not \(action.rawValue): \(reason)", concealed: true)
            }
            rule += grant == .approvedOnly ? ": project is approved" : ": own project"
        case .withPELicense:
            guard let license = principal.peLicense else {
                return deny(.peLicenseMissing, "\(action.rawValue) needs a PE license; this \(role) has none")
            }
            guard let confirmer = license.confirmedBy, confirmer != principal.userID else {
                return deny(
                    .peLicenseUnconfirmed,
                    "\(action.rawValue) needs a PE license recorded or confirmed by an owner or admin other than the licensee; this one is not")
            }
            let today = CivilDate(containing: context.now)
            guard license.expiresOn >= today else {
                return deny(
                    .peLicenseExpired,
                    "PE license \(license.state)-\(license.number) expired on \(license.expiresOn), before \(today)")
            }
            rule += ": PE license \(license.state)-\(license.number) valid through \(license.expiresOn)"
        }
        switch resource {
        case .account, .auditTrail:
            return .allowed(rule: rule)
        case .user(let user):
            if let denial = ownerRule(principal, action, user, context) { return .denied(reason: denial) }
            return .allowed(rule: rule)
        case .project(let project):
            return archiveRule(principal, action, project, context, rule: rule)
        }
    }

    /// Whether a permission is about this kind of resource at all.
    private static func applies(_ action: Permission, to resource: Resource) -> Bool {
        switch (action, resource) {
        case (.accountBilling, .account), (.accountManage, .account), (.userView, .account): true
        case (.userInvite, .user), (.userRemove, .user), (.userView, .user): true
        case (.userRemove, .auditTrail): true
        case (.projectCreate, .project), (.projectEdit, .project), (.projectDelete, .project),
            (.projectView, .project), (.calculationRun, .project), (.calculationApprove, .project),
            (.calculationView, .project), (.fileUpload, .project), (.fileDelete, .project),
            (.fileView, .project):
            true
        default: false
        }
    }

    /// Why `grant`'s project condition does not hold, or `nil` when it does.
    /// No grant at all means the role may not see the project.
    private static func unmet(_ grant: Grant?, _ principal: Principal, _ project: ProjectResource) -> String? {
        switch grant {
        case nil: "\(principal.role.rawValue) sees no projects"
        case .always, .withPELicense: nil
        case .approvedOnly:
            project.deleted
                ? "the project is deleted"
                : project.status.isApprovedOrLater ? nil : "the project is \(project.status.rawValue), not approved"
        case .ownOnly:
            project.deleted
                ? "the project is deleted"
                : project.clientID == principal.userID ? nil : "the project is not theirs"
        }
    }

    /// Owners: only an owner makes, unmakes or removes an owner, and the last owner stays.
    private static func ownerRule(
        _ principal: Principal, _ action: Permission, _ user: UserResource, _ context: AccessContext
    ) -> Denial? {
        if action == .userInvite, context.confirmsPELicense, user.userID == principal.userID {
            return Denial(.selfConfirmation, "a PE license is confirmed by an owner or admin other than the licensee, not by the licensee")
        }
        let touchesOwner: Bool
        switch action {
        case .userInvite: touchesOwner = user.role == .owner || context.newRole == .owner
        case .userRemove: touchesOwner = user.role == .owner
        default: return nil
        }
        if touchesOwner, principal.role != .owner {
            return Denial(
                .ownerOnly, "only an owner may make, unmake or remove an owner; \(principal.role.rawValue) may not")
        }
        guard user.role == .owner, context.ownerCount <= 1 else { return nil }
        if action == .userRemove {
            return Denial(.lastOwner, "the last owner cannot be removed; make another owner first")
        }
        if let newRole = context.newRole, newRole != .owner {
            return Denial(.lastOwner, "the last owner cannot be made \(newRole.rawValue); make another owner first")
        }
        return nil
    }

    /// The permissions that change a project, its calculations or its files.
    private static let projectWrites: Set<Permission> = [
        .projectEdit, .projectDelete, .calculationRun, .calculationApprove, .fileUpload, .fileDelete,
    ]

    /// Archiving: owner or admin archives and restores; an archived project is otherwise read-only.
    private static func archiveRule(
        _ principal: Principal, _ action: Permission, _ project: ProjectResource, _ context: AccessContext,
        rule: String
    ) -> Decision {
        let role = principal.role
        let ownerOrAdmin = role == .owner || role == .admin
        if project.status == .archived, projectWrites.contains(action) {
            guard action == .projectEdit, let target = context.newStatus, target != .archived else {
                return deny(.readOnly, "the project is archived: read-only until an owner or admin restores it")
            }
            guard ownerOrAdmin else {
                return deny(
                    .readOnly, "the project is archived: only an owner or admin may restore it, not \(role.rawValue)")
            }
            return .allowed(rule: rule + ": restore from archived")
        }
        if action == .projectEdit, project.status == .approved, context.newStatus == .estimating {
            guard ownerOrAdmin else {
                return deny(.roleForbids, "only an owner or admin may reopen an approved project; \(role.rawValue) may not")
            }
            return .allowed(rule: rule + ": reopen")
        }
        if action == .projectEdit, context.newStatus == .archived {
            guard ownerOrAdmin else {
                return deny(.roleForbids, "only an owner or admin may archive a project; \(role.rawValue) may not")
            }
            return .allowed(rule: rule + ": archive")
        }
        return .allowed(rule: rule)
    }

    private static func deny(_ code: Denial.Code, _ message: String, concealed: Bool = false) -> Decision {
        .denied(reason: Denial(code, message, concealsExistence: concealed))
    }
}

extension Resource {
    /// `account`, `project` or `user`, for messages.
    fileprivate var kindName: String {
        switch self {
        case .account: "account"
        case .project: "project"
        case .user: "user"
        case .auditTrail: "audit trail"
        }
    }
}
