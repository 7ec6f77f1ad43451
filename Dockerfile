# CLIP Lab on CPU.
#   docker build -t clip-lab .
#   docker run --rm -p 7860:7860 clip-lab                     # then open http://localhost:7860
#   docker run --rm -p 7860:7860 clip-lab --pretrained /models/clip-vit-base-patch32   (with -v for the folder)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GRADIO_ANALYTICS_ENABLED=False \
    HF_HUB_DISABLE_TELEMETRY=1 \
    GRADIO_SERVER_NAME=0.0.0.0 \
    GRADIO_SERVER_PORT=7860

# PyTorch first, and its CPU build: a bare `torch>=2.2` would pull the CUDA build (several GB).
# The same pin as the Makefile's.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

# Then the project, as a wheel install (what `pip install .` gives anyone): code, lesson prose, checkpoints.
WORKDIR /tmp/clip-lab
COPY pyproject.toml README.md LICENSE app.py ./
COPY clip_core/ clip_core/
COPY lessons/ lessons/
COPY assets/ assets/
RUN pip install . && rm -rf /tmp/clip-lab

# Run as an ordinary user; Gradio's upload cache goes to /tmp/gradio, the hub cache to its home.
RUN useradd --create-home --uid 1000 clip
USER clip
WORKDIR /home/clip

# GRADIO_SERVER_NAME=0.0.0.0 above: inside a container the app must listen beyond its own loopback.
# The pretrained CLIP downloads from the Hugging Face hub on first pick; without internet, add
# -e HF_HUB_OFFLINE=1 and mount a folder saved by `python -m clip_core.pretrained --save FOLDER`.
EXPOSE 7860
ENTRYPOINT ["clip-lab"]
