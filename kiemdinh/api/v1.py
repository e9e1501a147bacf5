"""The JSON API (/api/v1/): a thin second face over the same services, selectors and access helpers.

Explicit input and output schemas; no model is exposed automatically. Session authentication with CSRF. This module
holds the one NinjaAPI object (config/urls.py mounts it), its error handlers (every error is JSON with a Vietnamese
``detail``), and the routers of the resources, added in the order the schema lists them: frameworks, accounts,
schools, units, cycles, improvement, plans.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaValidationError

from kiemdinh.api import accounts, cycles, frameworks, improvement, plans, schools, units


class KiemdinhAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # The published schema's operationIds (what generated clients name their methods after) were made from the
        # module the API lived in before it was split by resource; they stay as they were.
        return f"kiemdinh_api_endpoints_{operation.view_func.__name__}"


api = KiemdinhAPI(
    title="Kiểm định API",
    version="1",
    description="Kiểm định chất lượng giáo dục và công nhận trường đạt chuẩn quốc gia.",
    urls_namespace="api",
    docs_url=None,  # the interactive docs page loads assets from a CDN; the schema stays at /openapi.json
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Không tìm thấy."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Không có quyền."}, status=403)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": "Dữ liệu không hợp lệ.", "errors": messages}, status=422)


def _schema_message(error: dict) -> str:
    """One pydantic error of a parameter or body field, in Vietnamese."""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "value_error":  # raised by a validator of ours, already in Vietnamese
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    messages = {
        "less_than_equal": f"Phải nhỏ hơn hoặc bằng {ctx.get('le')}.",
        "greater_than_equal": f"Phải lớn hơn hoặc bằng {ctx.get('ge')}.",
        "int_parsing": "Phải là một số nguyên.",
        "int_type": "Phải là một số nguyên.",
        "int_from_float": "Phải là một số nguyên.",
        "missing": "Thiếu giá trị.",
        "string_type": "Phải là một chuỗi ký tự.",
        "string_too_long": f"Dài quá {ctx.get('max_length')} ký tự.",
        "string_too_short": f"Cần ít nhất {ctx.get('min_length')} ký tự.",
        "enum": f"Phải là một trong: {ctx.get('expected')}.",
        "bool_parsing": "Phải là true hoặc false.",
        "json_invalid": "Nội dung không phải JSON hợp lệ.",
    }
    return messages.get(kind) or error.get("msg", "Không hợp lệ.")


@api.exception_handler(SchemaValidationError)
def schema_invalid(request, exc):
    """Parameters or body fields that do not fit the schema: 422, each named with a Vietnamese reason."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body", "payload")]
        errors.setdefault(".".join(location) or "__all__", []).append(_schema_message(error))
    return api.create_response(request, {"detail": "Dữ liệu không hợp lệ.", "errors": errors}, status=422)


for resource in (frameworks, accounts, schools, units, cycles, improvement, plans):
    api.add_router("", resource.router)
