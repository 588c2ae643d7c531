"""A form field that attaches uploads: kept ids (hidden inputs) plus new files (a file input).

    class FilingForm(FlaskForm):
        documents = UploadField(_l("证明材料"), description=_l("营业执照、证书等"))

    with unit_of_work(form) as work:
        ids = uploads.services.store_form_uploads(form.documents, actor=current_user)
        ...

The form must be posted with enctype="multipart/form-data". Unknown or others' kept ids and bad files
are refused by the service, next to the field.
"""
from flask_babel import gettext as _
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage
from wtforms import Field


class UploadWidget:
    """Already attached files (each a link and a checkbox to keep it) and a multiple file input."""

    def __call__(self, field, **kwargs):
        from flask import url_for

        from .services import uploads_by_id

        parts = []
        for upload in uploads_by_id(field.data):
            href = url_for("uploads.download", upload_id=upload.id)
            parts.append(Markup(
                '<li><label><input type="checkbox" name="{name}" value="{id}" checked> '
                '<a href="{href}" target="_blank" rel="noopener">{label}</a></label></li>').format(
                    name=field.name, id=upload.id, href=href, label=upload.original_name))
        listing = Markup('<ul class="attachments" data-uploads="{}">{}</ul>').format(
            field.name, Markup("").join(parts)) if parts else Markup("")
        kwargs.setdefault("id", field.id)
        attrs = " ".join(f'{escape(k.replace("_", "-"))}="{escape(v)}"' for k, v in kwargs.items()
                         if k not in ("required",))
        file_input = Markup('<input type="file" name="{}" multiple accept="{}" {}>').format(
            field.name, field.accept, Markup(attrs))
        hint = Markup('<span class="hint">{}</span>').format(
            _("PDF、JPEG 或 PNG，每个文件不超过 %(mb)s MB", mb=field.max_mb()))
        return listing + file_input + hint


class UploadField(Field):
    """`data`: the upload ids to keep (ints); `new_files`: the files chosen in this post."""

    widget = UploadWidget()
    accept = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"

    def __init__(self, label=None, validators=None, max_files: int = 20, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_files = max_files
        self.new_files: list[FileStorage] = []

    def max_mb(self):
        from flask import current_app
        return round(current_app.config.get("UPLOAD_MAX_BYTES", 10 * 1024 * 1024) / 1024 / 1024, 1)

    def process_data(self, value):
        self.data = [int(v) for v in (value or [])]

    def process_formdata(self, valuelist):
        ids, files = [], []
        for value in valuelist:
            if isinstance(value, FileStorage):
                if value.filename:
                    files.append(value)
            elif isinstance(value, str) and value.strip():
                try:
                    number = int(value)
                except ValueError:
                    raise ValueError(_("附件编号无效")) from None
                if not 1 <= number <= 2**31 - 1:
                    raise ValueError(_("附件编号无效"))
                if number not in ids:
                    ids.append(number)
        self.data = ids
        self.new_files = files

    def pre_validate(self, form):
        if len(self.data or []) + len(self.new_files) > self.max_files:
            raise ValueError(_("最多 %(n)s 个附件", n=self.max_files))
