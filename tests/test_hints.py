"""Hints where a user is probably wrong: a quantity in another world's units, an unrendered
Helm template, a misspelt node preset. Hints are added to the error message only; what is
accepted does not change."""

from __future__ import annotations

import pytest

from podfit.errors import ManifestError, QuantityError
from podfit.manifests import load_text
from podfit.manifests.hints import quantity_hint, quantity_suggestions
from podfit.nodes import node_preset
from podfit.quantity import parse_quantity

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    resources: {requests: {memory: MEMORY}}
"""


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1.5gb", " (did you mean 1.5G or 1.5Gi?)"),
        ("1K", " (did you mean 1k or 1Ki?)"),
        ("512MiB", " (did you mean 512Mi?)"),
        ("1 Gi", " (did you mean 1Gi?)"),
        ("lots", ""),
    ],
)
def test_a_misspelt_unit_gets_the_two_spellings_kubernetes_knows(text: str, hint: str) -> None:
    """The manifest error names the field, keeps the parser's message, adds the hint."""
    with pytest.raises(ManifestError) as info:
        load_text(POD.replace("MEMORY", f'"{text}"'))
    error = info.value.errors[0]
    assert error.path == "spec.containers[0].resources.requests.memory"
    assert error.message.startswith(f'"{text}" is not a valid quantity')
    assert error.message.endswith(f"{hint} (in Pod p, <input>)")


def test_hints_never_change_what_parses() -> None:
    """Every suggestion parses and the hinted text itself still does not."""
    for text in ("1.5gb", "1K", "2g", "1kb", "1mi", "1GiB"):
        with pytest.raises(QuantityError):
            parse_quantity(text)
        for suggestion in quantity_suggestions(text):
            parse_quantity(suggestion)
    assert quantity_suggestions("1Gi") == []
    assert quantity_hint(3) == ""


def test_an_unrendered_helm_template_is_refused_with_a_hint() -> None:
    text = POD.replace("MEMORY", "{{ .Values.memory }}")
    with pytest.raises(ManifestError) as info:
        load_text(text, "chart/templates/pod.yaml")
    assert str(info.value) == (
        "chart/templates/pod.yaml: line 7: this looks like an unrendered Helm template: "
        "run `helm template` first"
    )


def test_other_go_templates_are_not_helm() -> None:
    """Alerting rules carry ``{{ $labels.instance }}``: not a Helm template."""
    cm = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: rules}\n"
        "data: {alert: 'instance {{ $labels.instance }} down'}\n"
    )
    assert load_text(cm).skipped[0].kind == "ConfigMap"


def test_a_helm_expression_in_a_json_quantity_gets_the_hint() -> None:
    text = (
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": '
        '[{"name": "c", "resources": {"requests": {"cpu": "{{ .Values.cpu }}"}}}]}}'
    )
    with pytest.raises(ManifestError, match="run `helm template` first"):
        load_text(text)


def test_a_misspelt_preset_names_the_nearest_presets() -> None:
    with pytest.raises(ManifestError) as info:
        node_preset("aws/m5.larg")
    assert str(info.value).startswith(
        'preset: unknown node preset "aws/m5.larg"; did you mean aws/m5.large'
    )
