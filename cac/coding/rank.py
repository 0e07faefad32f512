"""The hand-set score of a candidate: retrieval agreement, assertion, section, repetition, specificity."""

from __future__ import annotations

from cac.coding.types import Candidate

# Sections where a diagnosis is stated as the provider's conclusion weigh more than history or review.
SECTION_WEIGHTS = {
    "assessment": 1.0,
    "assessment_and_plan": 1.0,
    "impression": 1.0,
    "discharge_diagnoses": 1.0,
    "final_diagnosis": 1.0,
    "diagnosis": 1.0,
    "postoperative_diagnosis": 1.0,
    "preoperative_diagnosis": 0.9,
    "admission_diagnosis": 0.9,
    "problem_list": 0.95,
    "procedure_performed": 1.0,
    "procedure": 1.0,
    "findings": 0.9,
    "hospital_course": 0.9,
    "plan": 0.85,
    "chief_complaint": 0.85,
    "history_of_present_illness": 0.85,
    "past_medical_history": 0.75,
    "past_surgical_history": 0.6,
    "physical_exam": 0.7,
    "review_of_systems": 0.55,
    "medications": 0.6,
    "family_history": 0.5,
    "differential_diagnosis": 0.6,
    "social_history": 0.6,
    "labs": 0.6,
    "imaging": 0.8,
}
DEFAULT_SECTION_WEIGHT = 0.8
# Where the provider states the diagnoses the encounter established.
DIAGNOSIS_SECTIONS = frozenset(
    {
        "assessment",
        "assessment_and_plan",
        "impression",
        "discharge_diagnoses",
        "final_diagnosis",
        "diagnosis",
        "postoperative_diagnosis",
        "admission_diagnosis",
        "problem_list",
    }
)
# Sections where the provider states conclusions; a sign or symptom found only elsewhere (review of systems,
# exam, history of present illness) is usually explained by a diagnosis and weighs less.
CONCLUSION_SECTIONS = DIAGNOSIS_SECTIONS | {
    "preoperative_diagnosis",
    "chief_complaint",
    "plan",
    "reason_for_visit",
    "indication",
    "findings",
}
SYMPTOM_OUTSIDE_CONCLUSIONS = 0.75
ASSERTION_WEIGHTS = {"present": 1.0, "possible": 0.8, "historical": 0.85, "family": 0.8}
# Where family and personal history belong; a history code derived there is weighed as in a conclusion section.
HISTORY_SECTIONS = frozenset({"family_history", "past_medical_history", "past_surgical_history", "social_history"})
HISTORY_SECTION_WEIGHT = 0.95


def section_weight(sections: list[str]) -> float:
    if not sections:
        return DEFAULT_SECTION_WEIGHT
    return max(SECTION_WEIGHTS.get(s, DEFAULT_SECTION_WEIGHT) for s in sections)


def final_score(candidate: Candidate, retrieval: float, mentions: int) -> float:
    """Combine the parts into [0, 1]; each factor is explained by its table above."""
    repetition = min(0.08, 0.04 * (mentions - 1))
    specificity = -0.05 if "unspecified" in candidate.flags else 0.0
    score = retrieval * section_weight(candidate.sections) * ASSERTION_WEIGHTS.get(candidate.assertion, 0.5)
    # Only notes with sections say where conclusions are; a narrative without headers gets no penalty.
    if is_symptom(candidate) and candidate.sections and not CONCLUSION_SECTIONS.intersection(candidate.sections):
        score *= SYMPTOM_OUTSIDE_CONCLUSIONS
    return max(0.0, min(1.0, score + repetition + specificity))


def is_symptom(candidate: Candidate) -> bool:
    """ICD-10-CM chapter 18: symptoms, signs and abnormal findings (R00-R99)."""
    return candidate.system == "ICD-10-CM" and candidate.code.startswith("R")
