"""Graph diffs: what was added, removed, renamed, changed and rewired."""

from netlab.graph.commands import AddNode, Connect, RemoveNodes, SetParam
from netlab.graph.diff import diff_graphs
from netlab.templates import cnn, resnet34


def test_the_same_network_moved_around_has_no_differences():
    a, b = cnn(), cnn()
    for node in b.nodes.values():
        node.pos = (node.pos[0] + 100, node.pos[1])
    assert not diff_graphs(a, b)
    assert diff_graphs(a, b).lines() == ["same network"]


def test_edits_show_as_the_user_made_them():
    a, b = cnn(), cnn()
    SetParam(b.node_by_name("conv2").id, "filters", 64).do(b)
    RemoveNodes([b.node_by_name("dropout").id]).do(b)
    Connect(b.node_by_name("hidden").id, b.node_by_name("classifier").id, 0).do(b)
    b.set_name(b.node_by_name("pool1").id, "first_pool")
    AddNode("BatchNorm", (0.0, 0.0), name="extra_bn").do(b)
    d = diff_graphs(a, b)
    assert d.added == ["extra_bn"]
    assert d.removed == ["dropout"]
    assert d.renamed == [("pool1", "first_pool")]
    assert d.changed == [("conv2", ["filters 32 -> 64"])]
    assert d.rewired == [("classifier", ["dropout"], ["hidden"])]
    assert d.summary() == "1 added, 1 removed, 1 renamed, 1 changed, 1 rewired"
    assert d.lines() == ["+ extra_bn", "- dropout", "~ pool1 renamed first_pool",
                         "~ conv2: filters 32 -> 64",
                         "~ classifier: inputs dropout -> hidden"]  # fmt: skip


def test_a_deeper_resnet_against_the_expanded_one():
    d = diff_graphs(resnet34(), resnet34(expanded=True))
    assert "stage2_block1" in d.removed
    assert "stage2_block1_conv1" in d.added
    assert ("avg_pool", ["stage5_block3"], ["stage5_block3_relu2"]) in d.rewired
