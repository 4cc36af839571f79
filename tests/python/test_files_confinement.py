"""``sandbox.files`` as an attacker would use it: the calls act as the sandbox's user on the
sandbox's own view of the file system, so neither a path nor a symlink planted by sandbox
code reaches a host file, and files written through the API stay the sandbox user's."""

import os
import tempfile

import pytest

from hopx_ai import AgentError, AsyncSandbox, FileOperationError, HopxError, Sandbox

SECRET = b"host secret: do not leak\n"


@pytest.fixture(scope="module")
def sb():
    with Sandbox.create(template="base") as sandbox:
        yield sandbox


@pytest.fixture
def host_file():
    """A file on the host, outside the sandbox, readable by everyone (so only confinement
    keeps the sandbox from it). Under /var/tmp: sandboxes get a /tmp of their own."""
    fd, path = tempfile.mkstemp(prefix="hopx-host-", dir="/var/tmp")
    os.write(fd, SECRET)
    os.close(fd)
    os.chmod(path, 0o666)
    yield path
    os.unlink(path)


def bash(sb, script):
    result = sb.run_code(script, language="bash")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_etc_shadow_is_refused(sb):
    with pytest.raises(FileOperationError):
        sb.files.read("/etc/shadow")
    with pytest.raises(HopxError):
        sb.files.read_bytes("/etc/shadow")
    # Sandbox code is refused too: the API has no more rights than the sandbox.
    assert sb.run_code("cat /etc/shadow", language="bash").exit_code != 0


def test_symlink_to_shadow_is_refused(sb):
    bash(sb, "ln -sfn /etc/shadow /workspace/s")
    with pytest.raises(FileOperationError):
        sb.files.read("/workspace/s")
    with pytest.raises(HopxError):
        sb.files.read_bytes("/workspace/s")


@pytest.mark.parametrize("relative", [False, True])
def test_symlink_to_a_host_file_does_not_reach_it(sb, host_file, tmp_path, relative):
    target = "../../../../../.." + host_file if relative else host_file
    bash(sb, f"ln -sfn {target} /workspace/h")
    for read in (sb.files.read, sb.files.read_bytes):
        with pytest.raises(HopxError):
            read("/workspace/h")
    with pytest.raises(HopxError):
        sb.files.download("/workspace/h", tmp_path / "leak")
    assert not (tmp_path / "leak").exists()

    # A write through the link may fail or land inside the sandbox; never on the host.
    for write in (
        lambda: sb.files.write("/workspace/h", "pwned"),
        lambda: sb.files.write_bytes("/workspace/h", b"pwned"),
    ):
        try:
            write()
        except HopxError:
            pass
        with open(host_file, "rb") as f:
            assert f.read() == SECRET
    src = tmp_path / "payload"
    src.write_bytes(b"pwned by upload")
    try:
        sb.files.upload(src, "/workspace/h")
    except HopxError:
        pass
    with open(host_file, "rb") as f:
        assert f.read() == SECRET
    # Nor can a remove through a link to the host's folder delete the host file.
    bash(sb, f"ln -sfn {os.path.dirname(host_file)} /workspace/hostdir")
    try:
        sb.files.remove("/workspace/hostdir/" + os.path.basename(host_file))
    except HopxError:
        pass
    assert os.path.exists(host_file)


def test_dot_dot_stays_in_the_sandbox(sb):
    assert sb.files.read("/workspace/../../etc/hostname") == "sandbox\n"
    assert sb.files.read("/../../../../etc/hostname") == "sandbox\n"
    bash(sb, "ln -sfn / /workspace/root")
    assert sb.files.read("/workspace/root/etc/hostname") == "sandbox\n"
    # The sandbox's own file (its uts namespace is named "sandbox"), not the host's.
    assert bash(sb, "hostname") == "sandbox\n"


@pytest.mark.parametrize("path", ["/usr/evil", "/usr/bin/python3", "/etc/passwd", "/bin/x"])
def test_system_folders_are_read_only(sb, path):
    with pytest.raises(AgentError) as info:
        sb.files.write(path, "x")
    assert isinstance(info.value, FileOperationError)
    with pytest.raises(FileOperationError):
        sb.files.mkdir(path + "_dir")
    with pytest.raises(FileOperationError):
        sb.files.remove("/usr/bin")


def test_api_files_belong_to_the_sandbox_user(sb):
    sb.files.write("/workspace/owned.txt", "first\n", mode="0600")
    out = bash(
        sb,
        "cd /workspace && chmod 0640 owned.txt && echo second >> owned.txt"
        " && stat -c '%U %a' owned.txt",
    )
    assert out == "user 640\n"
    assert sb.files.read("/workspace/owned.txt") == "first\nsecond\n"
    sb.files.mkdir("/workspace/owned_dir/sub")
    assert bash(sb, "stat -c %U /workspace/owned_dir/sub && touch /workspace/owned_dir/sub/f") == (
        "user\n"
    )


@pytest.mark.asyncio
async def test_async_confinement(host_file):
    async with AsyncSandbox.create(template="base") as sandbox:
        with pytest.raises(FileOperationError):
            await sandbox.files.read("/etc/shadow")
        await sandbox.run_code(f"ln -sfn {host_file} /workspace/h", language="bash")
        with pytest.raises(HopxError):
            await sandbox.files.read("/workspace/h")
        try:
            await sandbox.files.write("/workspace/h", "pwned")
        except HopxError:
            pass
        with open(host_file, "rb") as f:
            assert f.read() == SECRET
        assert await sandbox.files.read("/workspace/../../etc/hostname") == "sandbox\n"
