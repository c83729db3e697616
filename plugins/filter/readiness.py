# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the readiness role: the judgements of plugins/module_utils/readiness.py.

``results | mysfits.multi_region.readiness_http_checks(primary, regions)``: checks from the results of
``ansible.builtin.uri`` looped over ``[path, {key: region, value: base URL}]``.

``summaries | mysfits.multi_region.readiness_service_checks(primary)``: checks from region -> service key
-> the ``services`` entries of ``mysfits.multi_region.ecs_service_info``.
"""

from __future__ import annotations

from ansible_collections.mysfits.multi_region.plugins.module_utils.readiness import http_checks, service_checks


def readiness_http_checks(results, primary, regions=None):
    return http_checks(results, primary, regions)


def readiness_service_checks(summaries, primary):
    return service_checks(summaries, primary)


class FilterModule:
    def filters(self):
        return {
            "readiness_http_checks": readiness_http_checks,
            "readiness_service_checks": readiness_service_checks,
        }
