"""The ways CLIP Lab ships agree with each other: the address app.py binds (127.0.0.1 unless a
Space or the container says otherwise), requirements.txt vs pyproject.toml, one PyTorch pin for the
Makefile, requirements.txt and the Dockerfile, and the Space's front matter vs the tested Gradio."""

from __future__ import annotations

import re
from pathlib import Path

import gradio
import pytest
import yaml

import app

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest brings tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(monkeypatch):
    """Run app.main without serving: returns the (host, port) it would have launched on."""
    calls = []
    monkeypatch.setattr(app, "serve", lambda host, port, *args, **kwargs: calls.append((host, port)))
    for name in ("GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT"):
        monkeypatch.delenv(name, raising=False)

    def run(argv: list[str]) -> tuple[str, int]:
        app.main(argv)
        return calls[-1]

    return run


def test_by_default_the_app_listens_on_this_machine_only(served):
    assert served([]) == ("127.0.0.1", 7860)


def test_a_space_or_container_sets_the_address_through_gradios_variables(served, monkeypatch):
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7861")
    assert served([]) == ("0.0.0.0", 7861)
    assert served(["--host", "127.0.0.1", "--port", "8000"]) == ("127.0.0.1", 8000)  # the command line wins


def test_a_bad_port_in_the_environment_stops_with_a_message(served, monkeypatch, capsys):
    monkeypatch.setenv("GRADIO_SERVER_PORT", "seventy")
    with pytest.raises(SystemExit):
        served([])
    assert "invalid int value: 'seventy'" in capsys.readouterr().err


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower()


def test_requirements_txt_lists_the_projects_dependencies():
    declared = {_name(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    listed = {_name(line) for line in lines if line and not line.startswith(("#", "-"))}
    assert "torch" in declared
    assert listed == declared


def test_requirements_txt_declares_the_same_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = sorted(r.replace(" ", "") for r in project["dependencies"] if _name(r) != "torch")
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    listed = sorted(line.replace(" ", "") for line in lines if line and not line.startswith(("#", "-", "torch")))
    assert listed == declared


def test_every_declared_range_holds_the_versions_the_suite_runs_on():
    """The ranges are honest: what this suite runs with lies inside each, and each stops below the next major."""
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    for requirement in map(Requirement, requirements):
        installed = Version(version(requirement.name).split("+")[0])  # torch's "+cpu" is a local build tag
        assert requirement.specifier.contains(installed), (str(requirement), str(installed))
        if requirement.name != "setuptools":  # the build tool: any recent release builds the wheel
            upper = [s for s in requirement.specifier if s.operator == "<"]
            assert upper and Version(upper[0].version).major == installed.major + 1, str(requirement)


def test_one_pytorch_version_everywhere():
    makefile = re.findall(r"torch==([0-9.]+)", (ROOT / "Makefile").read_text())
    requirements = re.findall(r"^torch==([0-9.]+)", (ROOT / "requirements.txt").read_text(), re.M)
    dockerfile = re.findall(r"torch==([0-9.]+)", (ROOT / "Dockerfile").read_text())
    assert len(set(makefile)) == 1 and requirements and dockerfile
    assert set(requirements) == set(dockerfile) == set(makefile)


def test_the_container_installs_the_project_and_listens_beyond_its_loopback():
    dockerfile = (ROOT / "Dockerfile").read_text()
    torch_step = dockerfile.index("download.pytorch.org/whl/cpu torch==")
    assert torch_step < dockerfile.index("pip install .")  # the CPU build first, as the Makefile does
    assert "GRADIO_SERVER_NAME=0.0.0.0" in dockerfile and "EXPOSE 7860" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert 'ENTRYPOINT ["clip-lab"]' in dockerfile
    assert 'clip-lab = "app:main"' in (ROOT / "pyproject.toml").read_text()


def test_the_readme_is_a_gradio_space_on_the_tested_gradio():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("---\n")
    front = yaml.safe_load(readme.split("---\n")[1])
    assert front["sdk"] == "gradio" and front["app_file"] == "app.py"
    assert front["sdk_version"] == gradio.__version__
    assert (ROOT / front["app_file"]).is_file()
    assert len(front["short_description"]) <= 60
    assert front["license"] == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"].lower()
