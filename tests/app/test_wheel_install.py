"""`pip install .` ships a working app: build the wheel, install it into a fresh venv without the
network, serve it from there with the `clip-lab` command, and check that the page, an API call, the
lesson prose, the stylesheet and the shipped checkpoint all come from the installed wheel.

The fresh venv borrows only the dependencies (torch, gradio, ...) from this checkout's environment,
through a .pth line naming its site-packages; a .pth line only adds a path, so the editable install
registered there (a .pth *import* hook) stays inactive and the checkout cannot be imported.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from clip_core import checkpoint

ROOT = Path(__file__).resolve().parents[2]
WHEEL_SOURCES = ["pyproject.toml", "README.md", "LICENSE", "app.py", "clip_core", "lessons", "assets"]
MARKER_TEXT = "Marker: this sentence was read from the installed wheel."
MARKER_CSS = "/* marker: read from the installed wheel */"
START_TIMEOUT = 60  # seconds for the installed app to serve its first page


@dataclass
class InstalledApp:
    wheel: Path
    sources: set[str]  # the files the wheel was built from, relative to the project root
    env_dir: Path
    site_packages: Path
    url: str
    located: dict  # where the installed interpreter finds the modules and data


def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"pip {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def _build_wheel(tmp: Path) -> tuple[Path, set[str]]:
    """`pip wheel` from a copy of the sources, so the build writes no build/ or egg-info into the checkout.
    Returns the wheel and the files it was built from (the checkout may change meanwhile)."""
    source = tmp / "source"
    source.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "screenshots")
    for name in WHEEL_SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=skip)
        else:
            shutil.copy2(path, source / name)
    sources = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()}
    # no build isolation: the build backend (setuptools) comes from this environment, not from PyPI
    _pip("wheel", str(source), "--no-deps", "--no-index", "--no-build-isolation", "-w", str(tmp / "dist"))
    shutil.rmtree(source)  # from here on, the wheel is the only copy outside the checkout
    (wheel,) = (tmp / "dist").glob("clip_lab-*.whl")
    return wheel, sources


def _environment() -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT")}
    env.update(HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1", GRADIO_ANALYTICS_ENABLED="False",
               OMP_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1",
               # a file cache of its own: shutting down must not delete files the test run's server serves
               GRADIO_TEMP_DIR=tempfile.mkdtemp(prefix="clip-lab-wheel-gradio-"))
    return env


LOCATE = """
import json, app, clip_core, lessons.common.session as session, lessons.common.prose as text
import lessons.beyond.bagofwords as bagofwords, lessons.beyond.localize as localize
print(json.dumps({"app": app.__file__, "clip_core": clip_core.__file__, "text": str(text.LESSONS_DIR),
                  "assets": str(session.ASSETS), "checkpoint": str(session.SHIPPED_CHECKPOINT),
                  "bilingual": str(session.BILINGUAL_CHECKPOINT), "localize": str(localize.RELATIONS_CHECKPOINT),
                  **{"bagofwords_" + k: str(v) for k, v in bagofwords.CHECKPOINTS.items()}}))
"""
CHECKPOINT_KEYS = ("checkpoint", "bilingual", "localize", "bagofwords_relations", "bagofwords_negclip")


def _wait_for_page(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the installed app exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the installed app served nothing within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel_install")
    wheel, sources = _build_wheel(tmp)

    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site_packages = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                        check=True, capture_output=True, text=True).stdout.strip())
    (site_packages / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")  # this env's packages
    _pip("--python", str(python), "install", "--no-deps", "--no-index", str(wheel))

    # mark the installed prose and stylesheet: the served page can show the markers only if it read these files
    overview = site_packages / "lessons" / "overview" / "en.md"
    title, _, rest = overview.read_text(encoding="utf-8").partition("\n")
    overview.write_text(f"{title}\n{MARKER_TEXT}\n{rest}", encoding="utf-8")
    css = site_packages / "clip_lab_assets" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + f"\n{MARKER_CSS}\n", encoding="utf-8")

    outside = tmp / "elsewhere"  # the current directory: nothing importable in it
    outside.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp / "server.log"
    with open(log, "w") as server_output:
        server = subprocess.Popen([env_dir / "bin" / "clip-lab", "--host", "127.0.0.1", "--port", str(port)],
                                  cwd=outside, env=_environment(), stdout=server_output, stderr=subprocess.STDOUT)
    try:
        located = subprocess.run([python, "-c", LOCATE], cwd=outside, env=_environment(),
                                 check=True, capture_output=True, text=True)
        url = f"http://127.0.0.1:{port}/"
        _wait_for_page(url, server, log)
        paths = json.loads(located.stdout.strip().splitlines()[-1])
        yield InstalledApp(wheel, sources, env_dir, site_packages, url, paths)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def test_the_wheel_carries_the_code_the_prose_and_every_checkpoint(installed):
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert {"app.py", "clip_core/model.py", "lessons/common/session.py", "lessons/overview/en.md",
            "lessons/overview/zh.md", "lessons/beyond/siglip/zh.md", "clip_lab_assets/style.css",
            "clip_lab_assets/toy_clip/model.safetensors",
            "clip_lab_assets/toy_clip/config.json", "clip_lab_assets/toy_clip/metrics.json"} <= names
    # every file of the code, prose and assets (each checkpoint folder, whatever its name), assets/ renamed
    shipped = {f"clip_lab_assets/{name.removeprefix('assets/')}" if name.startswith("assets/") else name
               for name in installed.sources if name not in ("pyproject.toml", "README.md", "LICENSE")}
    assert shipped - names == set(), "files of the project missing from the wheel"
    assert not any("screenshots" in name for name in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "clip-lab = app:main" in zipfile.ZipFile(installed.wheel).read(entry_points).decode()


def test_the_installed_app_finds_its_code_and_data_in_the_venv(installed):
    site = installed.site_packages.resolve()
    for name, path in installed.located.items():
        assert Path(path).resolve().is_relative_to(site), f"{name} came from {path}, not from the installed wheel"
    assert Path(installed.located["assets"]).name == "clip_lab_assets"
    for key in CHECKPOINT_KEYS:  # every checkpoint a lesson loads is in the wheel where the lesson looks
        assert (Path(installed.located[key]) / "model.safetensors").is_file(), key
    assert not any(Path(path).resolve().is_relative_to(ROOT) for path in installed.located.values())


def test_the_installed_app_serves_its_page_prose_and_model(installed):
    from gradio_client import Client

    with urllib.request.urlopen(installed.url, timeout=10) as response:
        page = response.read().decode()
    assert "clip-lab-lang" in page  # the app's language script went into the page

    with urllib.request.urlopen(installed.url + "config", timeout=10) as response:
        config = json.load(response)
    assert config["title"] == "CLIP Lab"
    assert MARKER_CSS in config["css"]  # the wheel's style.css
    texts = [str(component["props"].get("value")) for component in config["components"]]
    assert any(MARKER_TEXT in text for text in texts)  # lesson 1's lead, from the wheel's overview.md

    shipped = checkpoint.load(installed.located["checkpoint"])
    svg, gallery = Client(installed.url, verbose=False).predict(3, api_name="/overview_samples")
    assert "toy CLIP (shipped)" in svg
    assert f"exp(t) = {shipped.scale().item():.2f}" in svg
    assert f"{shipped.num_parameters():,} parameters" in svg
    assert len(gallery) == 8
