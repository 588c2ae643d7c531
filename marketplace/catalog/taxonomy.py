"""The instrument classification (three levels), after the national large research instrument
classification used by the sharing platforms and the census (《大型科研仪器设备分类》: 一级 / 二级 / 三级).

Instrument listings choose their categories from it (selects, never free text), so the census's
grouping by category cannot drift. The names are stored as they are (Chinese data values, like city
names). A level may be left open (二级/三级 optional), but what is filled in must be one path.
"""
CATEGORIES: dict[str, dict[str, tuple[str, ...]]] = {
    "分析仪器": {
        "质谱仪器": ("有机质谱仪", "无机质谱仪", "同位素质谱仪", "气相色谱-质谱联用仪", "液相色谱-质谱联用仪",
                   "其他质谱仪器"),
        "色谱仪器": ("气相色谱仪", "液相色谱仪", "离子色谱仪", "凝胶渗透色谱仪", "其他色谱仪器"),
        "光谱仪器": ("原子吸收光谱仪", "原子发射光谱仪", "原子荧光光谱仪", "紫外可见分光光度计", "红外光谱仪",
                   "拉曼光谱仪", "荧光光谱仪", "其他光谱仪器"),
        "波谱仪器": ("核磁共振波谱仪", "电子顺磁共振波谱仪", "其他波谱仪器"),
        "电子光学仪器": ("电子显微镜", "电子探针", "聚焦离子束系统", "其他电子光学仪器"),
        "电子能谱仪器": ("X射线光电子能谱仪", "俄歇电子能谱仪", "其他电子能谱仪器"),
        "显微镜及图像分析仪器": ("光学显微镜", "激光共聚焦显微镜", "扫描探针显微镜", "细胞成像系统",
                         "其他显微镜及图像分析仪器"),
        "X射线仪器": ("X射线衍射仪", "单晶衍射仪", "X射线荧光光谱仪", "其他X射线仪器"),
        "热分析仪器": ("热重分析仪", "差热分析仪", "热机械分析仪", "其他热分析仪器"),
        "生化分离分析仪器": ("流式细胞仪", "基因测序仪", "基因扩增仪", "氨基酸分析仪", "超速离心机",
                       "其他生化分离分析仪器"),
        "元素分析仪器": ("有机元素分析仪", "碳硫分析仪", "其他元素分析仪器"),
        "物性测试仪器": ("比表面与孔隙度测试仪", "颗粒度测量仪器", "其他物性测试仪器"),
        "电化学仪器": ("电位滴定仪", "其他电化学仪器"),
        "样品前处理及制备仪器": ("样品前处理仪器", "样品制备仪器"),
        "其他分析仪器": (),
    },
    "物理性能测试仪器": {
        "力学性能测试仪器": ("材料试验机", "硬度计", "其他力学性能测试仪器"),
        "电磁学性能测试仪器": ("综合物性测量系统", "磁强计", "其他电磁学性能测试仪器"),
        "光学性能测试仪器": ("椭偏仪", "其他光学性能测试仪器"),
        "其他物理性能测试仪器": (),
    },
    "计量仪器": {
        "长度计量仪器": ("坐标测量机", "激光干涉仪", "其他长度计量仪器"),
        "热学计量仪器": (),
        "力学计量仪器": (),
        "其他计量仪器": (),
    },
    "电子测量仪器": {
        "通讯测量仪器": ("网络分析仪", "频谱分析仪", "其他通讯测量仪器"),
        "半导体器件测试仪器": ("参数分析仪", "探针台", "其他半导体器件测试仪器"),
        "电化学测量仪器": ("电化学工作站", "电池测试系统", "其他电化学测量仪器"),
        "电磁兼容测试仪器": ("EMC测试系统", "其他电磁兼容测试仪器"),
        "示波器及信号源": ("示波器", "信号发生器"),
        "其他电子测量仪器": (),
    },
    "海洋仪器": {"海洋水文测量仪器": (), "海洋生物调查仪器": (), "其他海洋仪器": ()},
    "地球探测仪器": {"地球物理勘探仪器": (), "地质与岩矿测试仪器": (), "其他地球探测仪器": ()},
    "大气探测仪器": {"气象观测仪器": (), "大气成分分析仪器": (), "其他大气探测仪器": ()},
    "特种检测仪器": {
        "无损探伤仪器": ("X射线探伤机", "超声探伤仪", "工业CT", "其他无损探伤仪器"),
        "安全检测仪器": (),
        "其他特种检测仪器": (),
    },
    "激光器": {"气体激光器": (), "固体激光器": (), "超快激光器": (), "其他激光器": ()},
    "工艺试验仪器": {
        "机械性能试验仪器": ("万能试验机", "疲劳试验机", "冲击试验机", "其他机械性能试验仪器"),
        "物性测试仪器": ("质构仪", "流变仪", "其他物性测试仪器"),
        "环境试验设备": ("高低温湿热试验箱", "盐雾试验箱", "振动试验台", "其他环境试验设备"),
        "微纳加工设备": ("光刻机", "镀膜设备", "刻蚀机", "其他微纳加工设备"),
        "其他工艺试验仪器": (),
    },
    "计算机及其配套设备": {"计算机": ("高性能计算机", "服务器集群", "其他计算机"), "存储设备": (),
                  "其他计算机配套设备": ()},
    "天文仪器": {"光学望远镜": (), "射电望远镜": (), "其他天文仪器": ()},
    "医学科研仪器": {
        "医学成像设备": ("活体成像系统", "小动物磁共振成像仪", "小动物CT", "其他医学成像设备"),
        "临床检验仪器": (),
        "其他医学科研仪器": (),
    },
    "核仪器": {"辐射探测仪器": (), "核分析仪器": (), "其他核仪器": ()},
    "其他仪器": {},
}


def parents(level: int) -> dict[str, str]:
    """The names of one level, each with the level above it (the select's group; "" for the first
    level). A name found under two parents keeps the first."""
    out: dict[str, str] = {}
    for l1, l2s in CATEGORIES.items():
        if level == 1:
            out.setdefault(l1, "")
        for l2, l3s in l2s.items():
            if level == 2:
                out.setdefault(l2, l1)
            for l3 in l3s if level == 3 else ():
                out.setdefault(l3, l2)
    return out


def path_error(l1: str | None, l2: str | None, l3: str | None) -> tuple[str, str] | None:
    """(field, problem) when the filled-in levels are not one path of the classification, else None:
    "l2" means the second level is not under the first, "l3" the third not under the second."""
    if l1 is None:
        return None
    if l2 is not None and l2 not in CATEGORIES.get(l1, {}):
        return ("category_l2", "l2")
    if l3 is not None and (l2 is None or l3 not in CATEGORIES[l1].get(l2, ())):
        return ("category_l3", "l3")
    return None
