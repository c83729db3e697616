"""Every filter of the collection is documented beside its plugin (``ansible-doc -t filter``), and its documented
options are the function's parameters: a parameter added or renamed without its documentation fails here."""
import inspect
import os

import yaml

from ansible_collections.mysfits.multi_region.plugins.filter import plan, readiness

FILTER_DIR = os.path.join(os.path.dirname(plan.__file__))


def filters():
    found = {}
    for module in (plan, readiness):
        for name, function in module.FilterModule().filters().items():
            found[name] = getattr(module, name) if hasattr(module, name) else function
    return found


def test_every_filter_has_a_yaml_documentation_whose_options_are_its_parameters():
    for name, function in sorted(filters().items()):
        path = os.path.join(FILTER_DIR, "%s.yml" % name)
        assert os.path.isfile(path), "%s: no %s" % (name, path)
        with open(path) as handle:
            doc = yaml.safe_load(handle)
        documentation = doc["DOCUMENTATION"]
        assert documentation["name"] == name
        assert documentation["short_description"] and documentation["description"]
        assert doc["EXAMPLES"].count("mysfits.multi_region.%s" % name) >= 1, name
        assert "_value" in doc["RETURN"], name
        parameters = list(inspect.signature(function).parameters)
        options = documentation["options"]
        assert "_input" in options and options["_input"]["required"], name
        assert sorted(o for o in options if o != "_input") == sorted(parameters[1:]), name
        # A parameter without a default is documented as required, and the positional ones are in order.
        for parameter in list(inspect.signature(function).parameters.values())[1:]:
            required = parameter.default is inspect.Parameter.empty
            assert bool(options[parameter.name].get("required")) == required, (name, parameter.name)
        positional = [p.strip() for p in documentation["positional"].split(",")]
        assert positional == ["_input"] + parameters[1:len(positional)], name


def test_no_documentation_without_its_filter():
    names = {f[:-4] for f in os.listdir(FILTER_DIR) if f.endswith(".yml")}
    assert names == set(filters())
