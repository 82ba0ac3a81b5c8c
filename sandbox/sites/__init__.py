"""The virtual hosts of the sample web, one module per template family."""

from __future__ import annotations

from .cac import CacSite
from .chongqing import ChongqingSite
from .govcn import GovCnSite
from .jiangsu import JiangsuSite
from .jswx import JswxSite
from .mirror import MirrorSite
from .nmgwx import NmgwxSite
from .sichuan import SichuanSite
from .taiwan import TaiwanSite

__all__ = ["OFFSITE_CLASSES", "SITE_CLASSES"]

SITE_CLASSES = (CacSite, JswxSite, JiangsuSite, SichuanSite, ChongqingSite, GovCnSite, TaiwanSite, NmgwxSite)
OFFSITE_CLASSES = (MirrorSite,)
