"""Every public api_name of the app has a test: a new endpoint without one fails here."""

from __future__ import annotations

import re
from pathlib import Path

TESTED = {
    "/start_session", "/pick_model",
    "/overview_samples", "/overview_refresh",
    "/toy_world_samples", "/toy_world_scene", "/toy_world_reference",
    "/logits_render", "/logits_export_png", "/logits_learned_tau", "/logits_refresh",
    "/temperature_render", "/temperature_learned_scale", "/temperature_refresh",
    "/logit_probability", "/logit_softmax", "/logit_clip_row", "/logit_refresh",
    "/train_preset", "/train_start", "/train_resume", "/train_pause", "/train_step", "/train_reset",
    "/train_download", "/train_upload",
    "/zeroshot_classify", "/zeroshot_class_preset", "/zeroshot_template_preset", "/zeroshot_compare",
    "/zeroshot_greedy", "/zeroshot_prompts", "/zeroshot_refresh",
    "/search_text", "/search_image", "/search_gallery", "/search_refresh",
    "/photos_refresh", "/photos_examples", "/photos_logits", "/photos_classify", "/photos_search", "/photos_on_load",
    "/mistakes_start", "/mistakes_stop", "/mistakes_view", "/mistakes_preset", "/mistakes_refresh",
    "/negatives_chance", "/negatives_start", "/negatives_stop", "/negatives_refresh",
    "/siglip_start", "/siglip_stop", "/siglip_compare", "/siglip_refresh",
    "/artdirector_run", "/artdirector_stop", "/artdirector_recipe", "/artdirector_preview", "/artdirector_refresh",
    "/localize_show", "/localize_measure", "/localize_refresh",
    "/crosslingual_render", "/crosslingual_refresh", "/crosslingual_compare",
    "/bagofwords_show", "/bagofwords_refresh",
    "/distributed_plan", "/distributed_start", "/distributed_stop", "/distributed_refresh",
    "/open_link", "/share_link", "/logits_restore", "/temperature_restore", "/train_restore", "/zeroshot_restore",
    "/negatives_restore", "/bagofwords_restore", "/localize_restore", "/crosslingual_restore",
    "/quiz_double_n", "/quiz_cold_softmax", "/quiz_held_out",
}


def test_every_public_endpoint_has_a_test(client):
    endpoints = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert endpoints - TESTED == set(), "endpoints without a test in tests/app"
    assert TESTED - endpoints == set(), "tests for endpoints the app no longer has"


def test_every_tested_endpoint_is_called_by_some_test():
    sources = "".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py") if path != Path(__file__))
    called = set(re.findall(r'"(/\w+)"', sources))  # api_name="/x", or "/x" in a parametrize list
    assert TESTED <= called, f"listed as tested but never called: {TESTED - called}"
