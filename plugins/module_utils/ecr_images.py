# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure functions for emptying Amazon ECR repositories (the ``ecr_images`` module).

ListImages answers ``imageIds`` (``imageDigest`` and, for a tagged image, ``imageTag``; one entry per tag,
so a digest can appear several times). BatchDeleteImage takes at most 100 image ids per call (ECR API
reference) and answers ``imageIds`` deleted and ``failures`` (``imageId``, ``failureCode``,
``failureReason``) with HTTP 200.
"""

from __future__ import annotations

BATCH_DELETE_LIMIT = 100


class ImageDeleteError(Exception):
    """BatchDeleteImage reported failures."""


def digests(image_ids):
    """The distinct digests of ListImages' ``imageIds``, sorted (deleting a digest removes all its tags)."""
    return sorted({image["imageDigest"] for image in image_ids if image.get("imageDigest")})


def delete_batches(image_digests, size=BATCH_DELETE_LIMIT):
    """BatchDeleteImage ``imageIds`` arguments, ``size`` digests each."""
    if size < 1 or size > BATCH_DELETE_LIMIT:
        raise ValueError("a batch holds 1 to %d image ids" % BATCH_DELETE_LIMIT)
    return [[{"imageDigest": digest} for digest in image_digests[start:start + size]]
            for start in range(0, len(image_digests), size)]


def check_failures(repository, answer):
    """Raise :class:`ImageDeleteError` naming the first failures of a BatchDeleteImage answer.

    ``ImageNotFound`` is not a failure: the image is already gone (deleted meanwhile), which is what was asked.
    """
    failures = [f for f in answer.get("failures") or [] if f.get("failureCode") != "ImageNotFound"]
    if failures:
        first = failures[0]
        raise ImageDeleteError("%d image(s) of repository %s could not be deleted, e.g. %s: %s %s" % (
            len(failures), repository, (first.get("imageId") or {}).get("imageDigest"),
            first.get("failureCode"), first.get("failureReason", "")))
