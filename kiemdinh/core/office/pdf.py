"""DOCX → PDF with LibreOffice headless, where it is installed (the page says so plainly where it is not)."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


class PdfUnavailable(RuntimeError):
    pass


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice_path() is not None


def docx_to_pdf(data: bytes, *, timeout: int = 180) -> bytes:
    """Convert one DOCX document to PDF. Each call uses its own LibreOffice profile so conversions can run side by
    side and never touch the user's profile."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable("Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản Word (DOCX).")
    with tempfile.TemporaryDirectory(prefix="kiemdinh-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(data)
        profile = (work / "profile").as_uri()
        result = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(source),
            ],
            capture_output=True,
            timeout=timeout,
            env={**os.environ, "HOME": tmp},
            check=False,
        )
        target = work / "document.pdf"
        if result.returncode != 0 or not target.exists():
            raise PdfUnavailable(
                "LibreOffice không chuyển được tệp sang PDF: "
                + (result.stderr.decode(errors="replace").strip()[:300] or "không rõ lỗi")
            )
        return target.read_bytes()
