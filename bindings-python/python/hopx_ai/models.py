"""Plain result classes: what ``run_code``, ``get_info`` and ``files.list`` return
(``SandboxInfo``, ``Resources`` and ``ExpiryInfo`` live in ``sandbox_info.py``, ``FileInfo`` in
``file_info.py``, ``Template`` in ``template_info.py``; all are re-exported here).

They are built from the dicts the native layer hands over (no validation library, so import
stays fast), use ``__slots__``, and render themselves in Jupyter via ``_repr_mimebundle_``.
"""

__all__ = [
    "ExecutionResult",
    "ExecutionError",
    "RichOutput",
    "SandboxInfo",
    "Resources",
    "ExpiryInfo",
    "FileInfo",
    "Template",
    "TemplateResources",
]

from .file_info import FileInfo
from .sandbox_info import ExpiryInfo, Resources, SandboxInfo
from .template_info import Template, TemplateResources

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterable, List, Optional

    _Bundle = Dict[str, Any]

# MIME types a notebook shows inline, richest first; the first output of each type is used.
_DISPLAY_MIMES = (
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/latex",
    "application/json",
)


def _short(text: object, limit: int = 60) -> str:
    """``repr`` of ``text`` cut to ``limit`` characters, so reprs stay one readable line."""
    if isinstance(text, str) and len(text) > limit:
        return repr(text[:limit]) + "..."
    return repr(text)


def _filter(
    bundle: "_Bundle", include: "Optional[Iterable[str]]", exclude: "Optional[Iterable[str]]"
) -> "_Bundle":
    """Applies IPython's optional include/exclude MIME lists to a bundle."""
    return {
        k: v
        for k, v in bundle.items()
        if (not include or k in include) and (not exclude or k not in exclude)
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RichOutput:
    """One rich output of a run: a plot, a table, any MIME bundle.

    ``type`` is the main MIME type as a plain string (``"image/png"``), ``data`` maps MIME
    type to payload (base64 text for images, text or JSON otherwise), ``metadata`` is a dict.
    """

    __slots__ = ("type", "data", "metadata")
    type: str
    data: "Dict[str, Any]"
    metadata: "Dict[str, Any]"

    def __init__(
        self,
        type: str,
        data: "Optional[Dict[str, Any]]" = None,
        metadata: "Optional[Dict[str, Any]]" = None,
    ) -> None:
        """A rich output of MIME type ``type`` with its payloads by MIME type."""
        self.type = type
        self.data = {} if data is None else data
        self.metadata = {} if metadata is None else metadata

    @classmethod
    def _from_dict(cls, d: "Dict[str, Any]") -> "RichOutput":
        return cls(d.get("type", ""), d.get("data") or {}, d.get("metadata") or {})

    def _repr_mimebundle_(
        self, include: "Optional[Iterable[str]]" = None, exclude: "Optional[Iterable[str]]" = None
    ) -> "_Bundle":
        """The output itself, for Jupyter."""
        return _filter(dict(self.data), include, exclude)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RichOutput):
            return NotImplemented
        return (self.type, self.data, self.metadata) == (other.type, other.data, other.metadata)

    def __repr__(self) -> str:
        payload = self.data.get(self.type)
        size = f", {len(payload)} chars" if isinstance(payload, str) else ""
        return f"RichOutput(type={self.type!r}{size})"


class ExecutionError:
    """The exception a Python run raised, as the kernel reported it."""

    __slots__ = ("name", "value", "traceback")
    name: str
    value: str
    traceback: str

    def __init__(self, name: str, value: str, traceback: str = "") -> None:
        """The exception's class name, its message and the formatted traceback."""
        self.name = name
        self.value = value
        self.traceback = traceback

    def __repr__(self) -> str:
        return f"ExecutionError(name={self.name!r}, value={_short(self.value)})"


class ExecutionResult:
    """The outcome of one ``run_code`` call.

    ``success`` is False when the code failed (non-zero ``exit_code`` or a raised exception,
    described by ``error``); that is not an exception in the caller. ``execution_time`` is in
    seconds. ``rich_outputs`` lists plots, tables and other MIME outputs; the official flat
    fields ``png`` (base64), ``html``, ``svg``, ``markdown`` and ``json_output`` hold the first
    output of each type, and ``result`` the text of the last expression's value (a figure shows
    as ``<Figure size ... with 1 Axes>``, as in Jupyter), or None.
    ``rich_outputs_truncated`` says outputs were dropped past the run's cap for them.
    """

    __slots__ = (
        "stdout",
        "stderr",
        "exit_code",
        "success",
        "execution_time",
        "rich_outputs",
        "error",
        "language",
        "timestamp",
        "stdout_truncated",
        "stderr_truncated",
        "kernel_restarted",
        "rich_outputs_truncated",
        "png",
        "html",
        "svg",
        "markdown",
        "json_output",
        "result",
    )

    stdout: str
    stderr: str
    exit_code: int
    success: bool
    execution_time: float
    rich_outputs: "List[RichOutput]"
    error: "Optional[ExecutionError]"
    language: "Optional[str]"
    timestamp: "Optional[str]"
    stdout_truncated: bool
    stderr_truncated: bool
    kernel_restarted: bool
    rich_outputs_truncated: bool
    png: "Optional[str]"
    html: "Optional[str]"
    svg: "Optional[str]"
    markdown: "Optional[str]"
    json_output: "Any"
    result: "Optional[str]"

    def __init__(
        self,
        stdout: str = "",
        stderr: str = "",
        exit_code: int = 0,
        success: bool = True,
        execution_time: float = 0.0,
        rich_outputs: "Optional[List[RichOutput]]" = None,
        error: "Optional[ExecutionError]" = None,
        language: "Optional[str]" = None,
        timestamp: "Optional[str]" = None,
        stdout_truncated: bool = False,
        stderr_truncated: bool = False,
        kernel_restarted: bool = False,
        rich_outputs_truncated: bool = False,
        png: "Optional[str]" = None,
        html: "Optional[str]" = None,
        svg: "Optional[str]" = None,
        markdown: "Optional[str]" = None,
        json_output: "Any" = None,
        result: "Optional[str]" = None,
    ) -> None:
        """A result with these fields; ``run_code`` makes them."""
        self.stdout = stdout
        self.stderr = stderr
        self.exit_code = exit_code
        self.success = success
        self.execution_time = execution_time
        self.rich_outputs = [] if rich_outputs is None else rich_outputs
        self.error = error
        self.language = language
        self.timestamp = timestamp
        self.stdout_truncated = stdout_truncated
        self.stderr_truncated = stderr_truncated
        self.kernel_restarted = kernel_restarted
        self.rich_outputs_truncated = rich_outputs_truncated
        self.png = png
        self.html = html
        self.svg = svg
        self.markdown = markdown
        self.json_output = json_output
        self.result = result

    @classmethod
    def _from_dict(cls, d: "Dict[str, Any]") -> "ExecutionResult":
        err = d.get("error")
        return cls(
            stdout=d["stdout"],
            stderr=d["stderr"],
            exit_code=d["exit_code"],
            success=d["success"],
            execution_time=d["execution_time"],
            rich_outputs=[RichOutput._from_dict(o) for o in d["rich_outputs"]],
            error=ExecutionError(err["name"], err["value"], err.get("traceback", ""))
            if err
            else None,
            language=d.get("language"),
            timestamp=d.get("timestamp"),
            stdout_truncated=d.get("stdout_truncated", False),
            stderr_truncated=d.get("stderr_truncated", False),
            kernel_restarted=d.get("kernel_restarted", False),
            rich_outputs_truncated=d.get("rich_outputs_truncated", False),
            png=d.get("png"),
            html=d.get("html"),
            svg=d.get("svg"),
            markdown=d.get("markdown"),
            json_output=d.get("json"),
            result=d.get("result"),
        )

    @property
    def rich_count(self) -> int:
        """How many rich outputs the run produced."""
        return len(self.rich_outputs)

    @property
    def has_rich_output(self) -> bool:
        """Whether the run produced any rich output."""
        return bool(self.rich_outputs)

    def _text(self) -> str:
        parts = [self.stdout]
        if self.result is not None:
            parts.append(self.result if self.result.endswith("\n") else self.result + "\n")
        if self.stderr:
            parts.append(self.stderr)
        if self.error is not None and self.error.name not in self.stderr:
            parts.append(f"{self.error.name}: {self.error.value}\n")
        return "".join(parts)

    def _repr_mimebundle_(
        self, include: "Optional[Iterable[str]]" = None, exclude: "Optional[Iterable[str]]" = None
    ) -> "_Bundle":
        """Jupyter display: the first output of each rich type plus ``text/plain`` with the
        printed text. When there are rich outputs, ``text/html`` shows text and every output
        together, because a notebook renders only the richest single MIME type of a value."""
        bundle: "_Bundle" = {}
        for output in self.rich_outputs:
            for mime, payload in output.data.items():
                bundle.setdefault(mime, payload)
        bundle["text/plain"] = self._text()
        if any(set(o.data) - {"text/plain"} for o in self.rich_outputs):
            bundle["text/html"] = self._html()
        return _filter(bundle, include, exclude)

    def _html(self) -> str:
        parts = []
        if self.stdout:
            parts.append(f"<pre>{_escape(self.stdout)}</pre>")
        for output in self.rich_outputs:
            d = output.data
            if "text/html" in d:
                parts.append(d["text/html"])
            elif "image/svg+xml" in d:
                parts.append(d["image/svg+xml"])
            elif "image/png" in d or "image/jpeg" in d:
                mime = "image/png" if "image/png" in d else "image/jpeg"
                parts.append(f'<img src="data:{mime};base64,{d[mime]}"/>')
            elif "text/plain" in d:
                parts.append(f"<pre>{_escape(str(d['text/plain']))}</pre>")
        if self.stderr:
            parts.append(f'<pre style="color:#b00">{_escape(self.stderr)}</pre>')
        return "\n".join(parts)

    def __repr__(self) -> str:
        text = (
            f"ExecutionResult(success={self.success!r}, exit_code={self.exit_code!r}, "
            f"execution_time={self.execution_time:.3f}, stdout={_short(self.stdout)}, "
            f"stderr={_short(self.stderr)}"
        )
        if self.rich_outputs:
            text += f", rich_outputs={self.rich_outputs!r}"
        if self.error is not None:
            text += f", error={self.error!r}"
        return text + ")"
