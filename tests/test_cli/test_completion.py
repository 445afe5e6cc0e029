from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from workers.cli import build_parser, main
from workers.cli.completion import completion_script

SUBCOMMANDS = ("enrich", "feed", "tail", "worker", "topics", "dlq", "reprocess", "demo", "completion")


def test_bash_script_is_valid_bash(tmp_path: Path) -> None:
    script = tmp_path / "newsflow.bash"
    script.write_text(completion_script(build_parser(), "bash"))
    checked = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_bash_script_completes_every_command_and_the_options_after_one() -> None:
    script = completion_script(build_parser(), "bash")
    for command in SUBCOMMANDS:
        assert command in script
    for option in ("--bootstrap-servers", "--connect-timeout", "--partition", "--offset", "--group", "--key"):
        assert option in script


def test_bash_completion_offers_the_subcommands_when_run(tmp_path: Path) -> None:
    script = tmp_path / "newsflow.bash"
    script.write_text(completion_script(build_parser(), "bash"))
    probe = (
        f"source {script}; COMP_WORDS=(newsflow t); COMP_CWORD=1; COMP_LINE='newsflow t'; COMP_POINT=10; "
        '_shtab_newsflow; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    offered = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert {"tail", "topics"} <= set(offered) and "feed" not in offered


def test_zsh_script_is_a_compdef_for_newsflow(tmp_path: Path) -> None:
    text = completion_script(build_parser(), "zsh")
    assert text.startswith("#compdef newsflow")
    assert all(command in text for command in SUBCOMMANDS)
    if shutil.which("zsh") is None:
        return
    script = tmp_path / "_newsflow"
    script.write_text(text)
    checked = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_paths_complete_as_files_and_the_data_dir_as_a_directory() -> None:
    script = completion_script(build_parser(), "bash")
    assert "_shtab_compgen_files" in script and "_shtab_compgen_dirs" in script


def test_completion_command_prints_the_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "bash"]) == 0
    assert "_shtab_newsflow" in capsys.readouterr().out


def test_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["completion", "powershell"])
    assert exit_info.value.code == 2 and "invalid choice" in capsys.readouterr().err
