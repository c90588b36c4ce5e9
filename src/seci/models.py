"""Import every domain's models so that metadata (Alembic, tests) sees all tables."""

from seci.accounts import models as accounts_models
from seci.assistant import models as assistant_models
from seci.audit import models as audit_models
from seci.calls import models as call_models
from seci.core.db import Base
from seci.jobs import models as job_models
from seci.knowledge import models as knowledge_models
from seci.linkage import models as linkage_models
from seci.mining import models as mining_models
from seci.people import cert_models as people_cert_models
from seci.people import exam_models as people_exam_models
from seci.people import models as people_models
from seci.people import training_models as people_training_models
from seci.quality import models as quality_models
from seci.retrieval import models as retrieval_models
from seci.retrieval import situation_models as retrieval_situation_models
from seci.retrieval import vector_models as retrieval_vector_models
from seci.roster import models as roster_models
from seci.suggestions import models as suggestion_models
from seci.tacit import models as tacit_models

__all__ = ["Base", "accounts_models", "assistant_models", "audit_models", "call_models",
           "job_models", "knowledge_models", "linkage_models", "mining_models",
           "people_cert_models", "people_exam_models", "people_models",
           "people_training_models", "quality_models",
           "retrieval_models", "retrieval_situation_models", "retrieval_vector_models",
           "roster_models", "suggestion_models", "tacit_models"]
