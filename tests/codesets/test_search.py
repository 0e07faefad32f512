def codes(hits):
    return [h.code for h in hits]


def test_tabular_search_finds_combination_code(store):
    hits = store.search("type 2 diabetes with chronic kidney disease", system="ICD-10-CM", limit=3)
    assert "E11.22" in codes(hits)


def test_search_tolerates_typos(store):
    hits = store.search("diabetis mellitus tpye 2", system="ICD-10-CM", limit=5)
    assert any(code.startswith("E11") for code in codes(hits))


def test_search_prefers_the_fully_specified_code(store):
    hits = store.search("contusion of left foot initial encounter", system="ICD-10-CM", limit=3)
    assert codes(hits)[0] == "S90.32XA"


def test_code_query_finds_the_code_itself(store):
    assert codes(store.search("e11.22", limit=1)) == ["E11.22"]


def test_scores_are_sorted_and_bounded(store):
    hits = store.search("acute on chronic systolic heart failure", limit=10)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert hits[0].code == "I50.23"


def test_system_filter(store):
    hits = store.search("colonoscopy", system="CPT", limit=5)
    assert hits and all(h.system == "CPT" for h in hits)


def test_empty_and_unmatched_queries(store):
    assert store.search("   ") == []
    assert store.search("qqqqzzzzxxxx") == []
