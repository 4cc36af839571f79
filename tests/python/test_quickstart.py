"""The README quick start and the sandbox lifecycle."""

import hopx_ai
from hopx_ai import ExecutionResult, NotFoundError, Sandbox, SandboxInfo


def test_readme_quick_start():
    with Sandbox.create(template="code-interpreter") as sandbox:
        result = sandbox.run_code('print("Hello, World!")')
        assert isinstance(result, ExecutionResult)
        assert result.stdout == "Hello, World!\n"
        assert result.success is True
        assert result.exit_code == 0
        assert result.execution_time >= 0
        assert result.stderr == ""
    # The with-block killed it.
    try:
        sandbox.get_info()
        raise AssertionError("expected NotFoundError")
    except NotFoundError as e:
        assert "was killed" in e.message


def test_default_template_is_code_interpreter():
    with Sandbox.create() as sandbox:
        info = sandbox.get_info()
        assert info.template_name == "code-interpreter"


def test_get_info_connect_list(sandbox):
    info = sandbox.get_info()
    assert isinstance(info, SandboxInfo)
    assert info.sandbox_id == sandbox.sandbox_id
    assert info.status == "running"
    assert info.public_host
    assert "sandbox_id=" in repr(info)
    again = Sandbox.connect(sandbox.sandbox_id)
    assert again == sandbox
    assert again.run_code("print(2)").stdout == "2\n"
    listed = Sandbox.list()
    assert sandbox in listed
    assert all(isinstance(s, Sandbox) for s in listed)


def test_kill_then_calls_raise_not_found():
    sandbox = Sandbox.create()
    sandbox.kill()
    for call in (sandbox.get_info, sandbox.kill, lambda: sandbox.run_code("1")):
        try:
            call()
            raise AssertionError("expected NotFoundError")
        except NotFoundError as e:
            assert sandbox.sandbox_id in str(e)
    # Exiting a with-block on a killed handle is quiet.
    with sandbox:
        pass


def test_public_names_have_docstrings():
    assert hopx_ai.__doc__
    for name in hopx_ai.__all__:
        obj = getattr(hopx_ai, name)
        assert obj.__doc__, name
        for attr, value in vars(obj).items():
            if attr.startswith("_"):
                continue
            if isinstance(value, (classmethod, staticmethod)):
                value = value.__func__
            if callable(value) or isinstance(value, property):
                assert value.__doc__, f"{name}.{attr}"


def test_native_names_have_docstrings():
    from hopx_ai import _native

    for name in dir(_native):
        value = getattr(_native, name)
        if not name.startswith("_") and callable(value):
            assert value.__doc__, name
    for name, value in vars(_native.NativeSandbox).items():
        if not name.startswith("_"):
            assert value.__doc__, f"NativeSandbox.{name}"
