"""Each method written once, for both ``Sandbox`` (blocking) and ``AsyncSandbox`` (asyncio).

A method is one ``async def``, its *definition*: it holds the signature, the defaults, the
annotations and the docstring, checks the arguments, and says which native calls to make and
what to make of their results. It awaits nothing but :func:`call` (a native call) and
:func:`invoke` (a user's callback)::

    async def kill_process(self: SandboxBase, process_id: str) -> "Dict[str, Any]":
        '''Stops the background run ``process_id``; ...'''
        check_str("process_id", process_id, optional=False)
        return await call(self._native.kill_process, process_id)

Each flavour makes its method from the definition in one line::

    class Sandbox(SandboxBase):
        kill_process = blocking(m.kill_process)  # native.kill_process(...), GIL released

    class AsyncSandbox(SandboxBase):
        kill_process = awaiting(m.kill_process)  # await native.kill_process_async(...)

``blocking`` runs the definition in the caller's thread, making each native call with its
blocking form ``x`` and calling each callback; ``awaiting`` makes a coroutine method that
awaits each native call's ``x_async`` form, and a callback's result when it is awaitable.
Both keep the definition's name, docstring and signature, so ``help()`` and
``inspect.signature`` show them, and type checkers see ``Sandbox.kill_process(process_id:
str) -> Dict[str, Any]`` and, on ``AsyncSandbox``, a coroutine of the same. Class-level calls
(``cls`` first) use ``blocking_classmethod`` / ``awaiting_classmethod``, and
``creating_classmethod`` for ``AsyncSandbox.create`` (awaitable *and* an async context manager,
arguments checked at once). The native layer makes ``x`` and ``x_async`` from one Rust body
(``src/dual.rs``), so the two always exist together, with the same arguments.

Annotations that name typing-only things are strings, and those things are imported under
``if TYPE_CHECKING:``: importing ``typing`` at run time costs several times what all of
``import hopx_ai`` does.

**Adding a sandbox method**: a core call; one ``dual_methods!`` entry in ``src/sandbox.rs``;
its two lines in ``_native.pyi``; the definition in ``_methods.py``; one line in each of
``sandbox.py`` and ``async_sandbox.py``. Where the official async SDK spells an argument
differently (``run_code(timeout_seconds=)``), ``async_sandbox.py`` holds a short definition of
that method of its own, which forwards to the shared one.

**Adding a resource** (``sandbox.files``, ``.commands``, ``.env``): one module per resource,
e.g. ``files.py``, holding its definitions (``self: Resource``; native methods named after the
resource, ``files_read`` / ``files_read_async``, entries of ``src/sandbox.rs``) and one small
class per flavour::

    async def read(self: Resource, path: str) -> str:
        '''The text of the file at ``path``.'''
        return await call(self._native.files_read, check_str("path", path, optional=False))

    class Files(Resource):
        '''``sandbox.files`` of a :class:`Sandbox`.'''
        __slots__ = ()
        read = blocking(read)

    class AsyncFiles(Resource):
        '''``sandbox.files`` of an :class:`AsyncSandbox`.'''
        __slots__ = ()
        read = awaiting(read)

Each sandbox handle makes its resources once, when it is made: ``Sandbox`` declares
``__slots__ = ("files",)`` and sets ``self.files = Files(native)`` in an ``__init__`` that
calls ``super().__init__(native)``; ``AsyncSandbox`` the same with ``AsyncFiles``. A module of
definitions names its functions after the methods (``list``, ``set``...), so it must not use
those builtins itself. ``tests/python/test_define.py`` builds such a resource.
"""

# Names for type checkers only (see above).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import (
        Any,
        Awaitable,
        Callable,
        Coroutine,
        Generator,
        List,
        Protocol,
        TypeVar,
        overload,
    )

    # Not `typing`: Python 3.9 has no ParamSpec (type checkers bundle typing_extensions).
    from typing_extensions import Concatenate, ParamSpec

    from ._native import NativeSandbox

    _P = ParamSpec("_P")
    _R = TypeVar("_R")
    _T = TypeVar("_T")
    _S = TypeVar("_S")
    _H = TypeVar("_H")
    _R_co = TypeVar("_R_co", covariant=True)

    _Definition = Callable[Concatenate[_S, _P], Coroutine[Any, Any, _R]]

    # What a type checker sees of the class-level methods: accessed on a class, each returns
    # that class (or a list of it), as a classmethod returning ``Self`` would.
    class _Made(Protocol[_P]):
        def __get__(self, obj: object, owner: type[_H]) -> Callable[_P, _H]: ...

    class _MadeList(Protocol[_P]):
        def __get__(self, obj: object, owner: type[_H]) -> Callable[_P, List[_H]]: ...

    class _MadeOther(Protocol[_P, _R_co]):
        def __get__(self, obj: object, owner: type[_H]) -> Callable[_P, _R_co]: ...

    class _AMadeOther(Protocol[_P, _R_co]):
        def __get__(
            self, obj: object, owner: type[_H]
        ) -> Callable[_P, Coroutine[Any, Any, _R_co]]: ...

    class _AMade(Protocol[_P]):
        def __get__(
            self, obj: object, owner: type[_H]
        ) -> Callable[_P, Coroutine[Any, Any, _H]]: ...

    class _AMadeList(Protocol[_P]):
        def __get__(
            self, obj: object, owner: type[_H]
        ) -> Callable[_P, Coroutine[Any, Any, List[_H]]]: ...

    class _AwaitOrEnter(Protocol[_R_co]):
        def __await__(self) -> Generator[Any, Any, _R_co]: ...
        async def __aenter__(self) -> _R_co: ...
        async def __aexit__(self, *exc_info: object) -> None: ...

    class _CreatingMade(Protocol[_P]):
        def __get__(self, obj: object, owner: type[_H]) -> Callable[_P, _AwaitOrEnter[_H]]: ...


__all__ = [
    "Resource",
    "awaiting",
    "awaiting_classmethod",
    "blocking",
    "blocking_classmethod",
    "call",
    "creating_classmethod",
    "invoke",
    "name_methods",
    "run_awaiting",
    "run_blocking",
]


class _Step:
    """One thing a definition waits for; the flavour decides how to wait."""

    __slots__ = ()

    def __await__(self) -> "Generator[_Step, Any, Any]":
        # Hands the step to the driver, which sends back its outcome.
        return (yield self)

    def blocking(self) -> "Any":
        raise NotImplementedError

    def awaiting(self) -> "Awaitable[Any]":
        raise NotImplementedError


class _Call(_Step):
    __slots__ = ("fn", "args", "kwargs")

    def __init__(self, fn: "Callable[..., Any]", args: "Any", kwargs: "Any") -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs

    def blocking(self) -> "Any":
        return self.fn(*self.args, **self.kwargs)

    def awaiting(self) -> "Awaitable[Any]":
        # The `_async` twin of a native function, on the same object (a handle or the module).
        fn: "Any" = self.fn
        twin = getattr(fn.__self__, fn.__name__ + "_async")
        return twin(*self.args, **self.kwargs)  # type: ignore[no-any-return]


class _Invoke(_Step):
    __slots__ = ("fn", "arg")

    def __init__(self, fn: "Callable[[Any], object]", arg: object) -> None:
        self.fn = fn
        self.arg = arg

    def blocking(self) -> "Any":
        return self.fn(self.arg)

    async def awaiting(self) -> None:
        out = self.fn(self.arg)
        # Coroutines, futures and tasks; not inspect.isawaitable, whose import slows
        # `import hopx_ai`.
        if hasattr(out, "__await__"):
            await out


def call(fn: "Callable[_P, _T]", *args: "_P.args", **kwargs: "_P.kwargs") -> "Awaitable[_T]":
    """Awaited in a definition: the native call ``fn(*args, **kwargs)``, made with ``fn`` itself
    by ``blocking`` and with its ``fn_async`` twin by ``awaiting``. ``fn`` is a native function
    (``self._native.x``, ``_native.x``), so type checkers check its arguments and result
    against ``_native.pyi``."""
    return _Call(fn, args, kwargs)


def invoke(fn: "Callable[[_T], object]", arg: "_T") -> "Awaitable[None]":
    """Awaited in a definition: the user's callback ``fn(arg)``, in the caller's thread
    (``blocking``) or on the event loop, awaited if it returns an awaitable (``awaiting``)."""
    return _Invoke(fn, arg)


def run_blocking(coro: "Coroutine[Any, Any, _R]") -> "_R":
    """Runs a definition to its end in this thread, doing each step as it comes."""
    try:
        step = coro.send(None)
        while True:
            try:
                outcome = step.blocking()
            except BaseException as exc:
                # Into the definition, so its try/except/finally see it (and close streams).
                step = coro.throw(exc)
            else:
                step = coro.send(outcome)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def run_awaiting(coro: "Coroutine[Any, Any, _R]", step: "Any" = None) -> "_R":
    """Runs a definition to its end on the event loop, awaiting each step. ``step`` is the
    first step when the definition was already started (see ``creating_classmethod``)."""
    try:
        if step is None:
            step = coro.send(None)
        while True:
            try:
                outcome = await step.awaiting()
            except BaseException as exc:
                step = coro.throw(exc)
            else:
                step = coro.send(outcome)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def _like(method: "Any", define: "Any") -> "Any":
    """``method`` with the name, docstring and signature of ``define`` (what
    ``functools.wraps`` does, without importing functools at ``import hopx_ai``)."""
    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(method, name, getattr(define, name))
    method.__wrapped__ = define  # inspect.signature and help() read the definition's
    return method


def blocking(define: "_Definition[_S, _P, _R]") -> "Callable[Concatenate[_S, _P], _R]":
    """The blocking method of a definition (see the module docs)."""

    def method(*args: "Any", **kwargs: "Any") -> "Any":
        return run_blocking(define(*args, **kwargs))

    return _like(method, define)  # type: ignore[no-any-return]


def awaiting(
    define: "_Definition[_S, _P, _R]",
) -> "Callable[Concatenate[_S, _P], Coroutine[Any, Any, _R]]":
    """The coroutine method of a definition (see the module docs)."""

    async def method(*args: "Any", **kwargs: "Any") -> "Any":
        return await run_awaiting(define(*args, **kwargs))

    return _like(method, define)  # type: ignore[no-any-return]


class _Creating:
    """What ``AsyncSandbox.create(...)`` returns: await it for the sandbox, or use it with
    ``async with`` to have the sandbox killed on exit."""

    __slots__ = ("_make", "_first", "_made")

    def __init__(self, make: "Callable[[], Coroutine[Any, Any, Any]]") -> None:
        self._make = make
        coro = make()
        # Up to its first native call: the arguments are checked now, before any await.
        self._first: "Any" = (coro, coro.send(None))
        self._made: "Any" = None

    def __await__(self) -> "Generator[Any, Any, Any]":
        first, self._first = self._first, None
        # Each await makes one more, as a coroutine function called again would.
        run = run_awaiting(*first) if first else run_awaiting(self._make())
        return run.__await__()

    async def __aenter__(self) -> "Any":
        self._made = await self
        return self._made

    async def __aexit__(self, *exc_info: "Any") -> None:
        await self._made.__aexit__(*exc_info)


if TYPE_CHECKING:

    @overload
    def blocking_classmethod(define: "_Definition[type[_H], _P, _H]") -> "_Made[_P]": ...
    @overload
    def blocking_classmethod(
        define: "_Definition[type[_H], _P, List[_H]]",
    ) -> "_MadeList[_P]": ...
    @overload
    def blocking_classmethod(define: "_Definition[type[_H], _P, _R]") -> "_MadeOther[_P, _R]": ...
    def blocking_classmethod(define: "Any") -> "Any": ...
    @overload
    def awaiting_classmethod(define: "_Definition[type[_H], _P, _H]") -> "_AMade[_P]": ...
    @overload
    def awaiting_classmethod(
        define: "_Definition[type[_H], _P, List[_H]]",
    ) -> "_AMadeList[_P]": ...
    @overload
    def awaiting_classmethod(define: "_Definition[type[_H], _P, _R]") -> "_AMadeOther[_P, _R]": ...
    def awaiting_classmethod(define: "Any") -> "Any": ...
    def creating_classmethod(define: "_Definition[type[_H], _P, _H]") -> "_CreatingMade[_P]": ...

else:
    # Class-level calls: the definition's first argument is the class (``cls``). Type
    # checkers see what they return as a classmethod returning ``Self`` (or a list of it).

    def blocking_classmethod(define):
        """``blocking`` for a definition whose first argument is the class."""
        return classmethod(blocking(define))

    def awaiting_classmethod(define):
        """``awaiting`` for a definition whose first argument is the class."""
        return classmethod(awaiting(define))

    def creating_classmethod(define):
        """``awaiting_classmethod`` whose result may also be used with ``async with``, and
        whose arguments are checked when it is called, not when it is awaited."""

        def method(cls, *args, **kwargs):
            return _Creating(lambda: define(cls, *args, **kwargs))

        return classmethod(_like(method, define))


def name_methods(cls: type) -> None:
    """Names the methods made here after the class that holds them (``Sandbox.get_info``,
    not the definition's ``get_info``), for reprs, ``help()`` and pickling by name. Called by
    the bases' ``__init_subclass__``, so a flavour class needs nothing more."""
    for name, value in vars(cls).items():
        fn = getattr(value, "__func__", value)
        if callable(fn) and getattr(fn, "__wrapped__", None) is not None:
            fn.__name__ = name
            fn.__qualname__ = f"{cls.__qualname__}.{name}"
            fn.__module__ = cls.__module__


class Resource:
    """Base of a sandbox's resources (``sandbox.files``, ``.commands``, ``.env``): holds the
    native handle its definitions call. Made once per sandbox handle; see the module docs."""

    __slots__ = ("_native",)

    def __init_subclass__(cls, **kwargs: "Any") -> None:
        super().__init_subclass__(**kwargs)
        name_methods(cls)

    def __init__(self, native: "NativeSandbox") -> None:
        """Wraps the sandbox's native handle."""
        self._native = native
