"""Synthetic district generator with ground truth.

`generate(out, persons, seed, as_of, district="330114")` writes a drop folder exactly as
CONTRACT.md section 1 describes (`<out>/input/<feed>/...`) and the ground truth
(`<out>/truth/`: persons, dwellings, stays, records, bad_rows, findings, community_aliases,
manifest.json). Built-in districts: Hangzhou Qiantang (330114) and Shenzhen Bao'an (440306).
"""

from recon.synth.districts import DISTRICTS, DistrictSpec, get_district
from recon.synth.generate import SynthSummary, generate
from recon.synth.noise import NoiseProfile
from recon.synth.truth_findings import compute_findings

__all__ = [
    "DISTRICTS",
    "DistrictSpec",
    "NoiseProfile",
    "SynthSummary",
    "compute_findings",
    "generate",
    "get_district",
]
