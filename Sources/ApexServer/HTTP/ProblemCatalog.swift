import HTTPTypes

/// The Spanish `title` and `detail` of every problem `code` the server answers with, the one
/// catalog ``APIError/response(from:context:)`` translates from when the request's language is
/// Spanish. The `code` never changes; a detail that names a field keeps it (``spanish(_:)``).
/// English stays as written where the error is made.
enum ProblemCatalog {
    /// A title and a detail sentence.
    struct Entry: Sendable {
        let title: String
        let detail: String
    }

    /// The Spanish text of `problem`, or nil when the catalog lacks its code (it then stays in English).
    static func spanish(_ problem: APIError) -> (title: String, detail: String)? {
        let entry: Entry
        if let known = es[problem.code] {
            entry = known
        } else if problem.code.hasPrefix("http_") {
            entry = Entry(title: "Error HTTP \(problem.status.code)", detail: "La solicitud no se pudo atender (HTTP \(problem.status.code)).")
        } else {
            return nil
        }
        guard let field = problem.field, !field.isEmpty else { return (entry.title, entry.detail) }
        return (entry.title, "\(entry.detail) Campo: \(field).")
    }

    /// Spanish, by code.
    static let es: [String: Entry] = [
        // Requests and bodies
        "bad_request": Entry(title: "Solicitud incorrecta", detail: "La solicitud está mal formada."),
        "malformed_json": Entry(title: "JSON mal formado", detail: "El cuerpo no es un JSON válido."),
        "invalid_input": Entry(title: "Datos no válidos", detail: "Un valor de la solicitud no es válido."),
        "invalid_field": Entry(title: "Campo no válido", detail: "Un campo de la solicitud no es válido."),
        "missing_field": Entry(title: "Falta un campo", detail: "Falta un campo obligatorio."),
        "unknown_field": Entry(title: "Campo desconocido", detail: "La solicitud lleva un campo que no se admite."),
        "invalid_parameter": Entry(title: "Parámetro no válido", detail: "Un parámetro de la consulta no es válido."),
        "invalid_header": Entry(title: "Cabecera no válida", detail: "Una cabecera de la solicitud no es válida."),
        "invalid_cursor": Entry(title: "Cursor no válido", detail: "El cursor no es válido; empiece de nuevo desde la primera página."),
        "invalid_query": Entry(title: "Búsqueda no válida", detail: "La búsqueda no es válida."),
        "invalid_range": Entry(title: "Rango no válido", detail: "El rango pedido no es válido."),
        "range_not_satisfiable": Entry(title: "Rango no satisfacible", detail: "El rango pedido queda fuera del contenido."),
        "invalid_text": Entry(title: "Texto no válido", detail: "El texto contiene caracteres que no se admiten."),
        "invalid_type": Entry(title: "Tipo no válido", detail: "El tipo indicado no es válido."),
        "invalid_description": Entry(title: "Descripción no válida", detail: "La descripción no es válida."),
        "invalid_digest": Entry(title: "Resumen no válido", detail: "El resumen por correo debe ser off, daily o weekly."),
        "invalid_locale": Entry(title: "Idioma no válido", detail: "El idioma debe ser en o es."),
        "invalid_time_zone": Entry(title: "Zona horaria no válida", detail: "La zona horaria no es una zona IANA conocida."),
        "invalid_notification_type": Entry(title: "Tipo de notificación no válido", detail: "El tipo de notificación no existe."),
        "invalid_event_types": Entry(title: "Tipos de evento no válidos", detail: "Los tipos de evento no son válidos."),
        "invalid_event": Entry(title: "Evento no válido", detail: "El evento no es válido."),
        "unsupported_media_type": Entry(title: "Tipo de contenido no admitido", detail: "El tipo de contenido del cuerpo no se admite."),
        "body_too_large": Entry(title: "Cuerpo demasiado grande", detail: "El cuerpo de la solicitud supera el tamaño que acepta el servidor."),
        "method_not_allowed": Entry(title: "Método no permitido", detail: "Este método no se permite en este recurso."),
        "precondition_failed": Entry(title: "Precondición fallida", detail: "El recurso cambió; léalo de nuevo y reintente con su ETag."),
        "rate_limited": Entry(title: "Demasiadas solicitudes", detail: "Se superó el límite de solicitudes; espere lo que indica Retry-After."),
        // Authentication and access
        "unauthorized": Entry(title: "No autenticado", detail: "Se necesita un token de portador válido."),
        "cross_account": Entry(title: "Acceso denegado", detail: "El recurso pertenece a otra cuenta."),
        "role_forbids": Entry(title: "Acceso denegado", detail: "Su rol no permite esta acción."),
        "not_visible": Entry(title: "Acceso denegado", detail: "No puede ver este recurso."),
        "pe_license_missing": Entry(title: "Falta la licencia PE", detail: "Esta acción requiere una licencia PE."),
        "pe_license_expired": Entry(title: "Licencia PE vencida", detail: "Su licencia PE está vencida."),
        "pe_license_unconfirmed": Entry(title: "Licencia PE sin confirmar", detail: "Su licencia PE aún no está confirmada por un administrador."),
        "pe_license_required": Entry(title: "Se requiere licencia PE", detail: "Esta acción requiere una licencia PE vigente."),
        "self_confirmation": Entry(title: "Acceso denegado", detail: "No puede confirmar su propia licencia."),
        "owner_only": Entry(title: "Acceso denegado", detail: "Solo un propietario puede hacer esto."),
        "no_rule": Entry(title: "Acceso denegado", detail: "Ninguna regla permite esta acción."),
        "ip_not_allowed": Entry(title: "Dirección no permitida", detail: "Su dirección no está en la lista de direcciones permitidas de la cuenta."),
        "would_lock_out": Entry(title: "Se bloquearía el acceso", detail: "El cambio dejaría fuera su propia dirección."),
        "csrf_failed": Entry(title: "Formulario no aceptado", detail: "El formulario no llevaba un token CSRF válido o vino de otro sitio; recargue la página y vuelva a intentarlo."),
        "link_expired": Entry(title: "Enlace vencido", detail: "Este enlace ha vencido; pida uno nuevo."),
        "invalid_link": Entry(title: "Enlace no válido", detail: "Este enlace no es válido."),
        // Resources and state
        "not_found": Entry(title: "No encontrado", detail: "El recurso no existe."),
        "already_exists": Entry(title: "Ya existe", detail: "El recurso ya existe."),
        "invalid_transition": Entry(title: "Cambio de estado no válido", detail: "El proyecto no puede pasar a ese estado desde el actual."),
        "read_only": Entry(title: "Solo lectura", detail: "El recurso es de solo lectura."),
        "reason_required": Entry(title: "Falta el motivo", detail: "Esta acción requiere un motivo."),
        "approval_missing": Entry(title: "Falta una aprobación", detail: "Todos los cálculos deben estar aprobados antes."),
        "stale_revision": Entry(title: "Revisión desactualizada", detail: "La revisión no es la última del cálculo."),
        "last_owner": Entry(title: "Último propietario", detail: "La cuenta debe conservar al menos un propietario."),
        "deleted": Entry(title: "Eliminado", detail: "El recurso está eliminado."),
        "unknown_event_type": Entry(title: "Tipo de evento desconocido", detail: "El tipo de evento no se conoce."),
        "project_locked": Entry(title: "Proyecto bloqueado", detail: "El proyecto está aprobado; reábralo para cambiar sus cálculos."),
        "version_conflict": Entry(title: "Conflicto de versión", detail: "El recurso cambió mientras tanto; léalo de nuevo y reintente."),
        "duplicate_event_id": Entry(title: "Evento duplicado", detail: "Ya existe un evento con ese identificador."),
        "thumbnail_not_found": Entry(title: "Miniatura no encontrada", detail: "El archivo no tiene esa miniatura."),
        // Files
        "file_too_large": Entry(title: "Archivo demasiado grande", detail: "El archivo supera el límite de tamaño."),
        "malformed_upload": Entry(title: "Subida mal formada", detail: "El cuerpo multipart no es válido."),
        "missing_file": Entry(title: "Falta el archivo", detail: "La subida no lleva ningún archivo."),
        "file_infected": Entry(title: "Archivo infectado", detail: "El archivo contiene malware y no se puede descargar."),
        "file_pending_scan": Entry(title: "Archivo en análisis", detail: "El archivo aún se está analizando; inténtelo en breve."),
        "files_not_configured": Entry(title: "Archivos no configurados", detail: "Este servidor no guarda archivos."),
        "file_links_not_configured": Entry(title: "Enlaces no configurados", detail: "Este servidor no emite enlaces de archivos."),
        "blob_missing": Entry(title: "Contenido no disponible", detail: "Falta el contenido guardado del archivo; se ha avisado a un operador."),
        "blob_corrupt": Entry(title: "Contenido dañado", detail: "El contenido guardado no coincide con su hash; se ha avisado a un operador."),
        "invalid_blob_url": Entry(title: "Almacén no válido", detail: "El almacén de archivos está mal configurado."),
        "blob_storage_failed": Entry(title: "Almacén no disponible", detail: "El almacén de archivos no está disponible; inténtelo en breve."),
        "invalid_scanner_address": Entry(title: "Antivirus mal configurado", detail: "La dirección del antivirus no es válida."),
        "scanner_unavailable": Entry(title: "Antivirus no disponible", detail: "El antivirus no está disponible; inténtelo en breve."),
        // Webhooks
        "invalid_url": Entry(title: "URL no válida", detail: "La URL debe ser https absoluta con un host."),
        "url_refused": Entry(title: "URL rechazada", detail: "La URL apunta a una dirección que no se permite (local o privada)."),
        "invalid_secret": Entry(title: "Secreto no válido", detail: "El secreto debe ser whsec_ seguido de base64."),
        // Services
        "store_unavailable": Entry(title: "Servicio no disponible", detail: "El almacén de eventos no está disponible; inténtelo en breve."),
        "webhooks_unavailable": Entry(title: "Webhooks no disponibles", detail: "Este servidor no guarda webhooks."),
        "search_unavailable": Entry(title: "Búsqueda no disponible", detail: "El índice de búsqueda no está disponible."),
        "live_unavailable": Entry(title: "Tiempo real no disponible", detail: "Las notificaciones en vivo no están disponibles."),
        "presence_unavailable": Entry(title: "Presencia no disponible", detail: "La presencia no está disponible."),
        "sign_in_unavailable": Entry(title: "Enlaces de acceso no disponibles", detail: "Este servidor no envía enlaces de acceso por correo."),
        "internal_error": Entry(title: "Error interno", detail: "Algo falló de nuestro lado; el identificador de la solicitud lo localiza en los registros."),
    ]
}
